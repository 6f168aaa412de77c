#!/bin/sh
# Restore a backup made by deploy/backup.sh into ENGAGE_DATABASE_URL, replacing what is there.
#
#   ENGAGE_DATABASE_URL=postgresql+psycopg://engage@db/engage deploy/restore.sh FILE
#
# Stop the web processes, the workers and the beat first, and start them again afterwards
# (then run `engage db upgrade` if the backup is older than the code). PostgreSQL: pg_restore
# drops and recreates every table in one transaction, so a failed restore leaves the database
# as it was. SQLite: the file is copied in through the backup API.
set -eu

file="${1:?usage: deploy/restore.sh BACKUP-FILE}"
url="${ENGAGE_DATABASE_URL:?set ENGAGE_DATABASE_URL to the database to restore into}"
[ -f "$file" ] || { echo "restore.sh: no such backup: $file" >&2; exit 2; }

case "$url" in
  postgresql*)
    pg_url=$(printf '%s' "$url" | sed 's/^postgresql+[a-z0-9]*:/postgresql:/')
    pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
      --exit-on-error --dbname="$pg_url" "$file"
    ;;
  sqlite:///*)
    python3 - "$file" "${url#sqlite:///}" <<'PY'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
target.close()
source.close()
PY
    ;;
  *)
    echo "restore.sh: unsupported ENGAGE_DATABASE_URL (PostgreSQL or SQLite)" >&2
    exit 2
    ;;
esac
echo "restored $file"
