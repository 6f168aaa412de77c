#!/bin/sh
# Back up Engage's database to one file, and print the file's name.
#
#   ENGAGE_DATABASE_URL=postgresql+psycopg://engage@db/engage deploy/backup.sh [FILE]
#
# PostgreSQL: pg_dump's custom format (compressed; restore with deploy/restore.sh), taken in one
# consistent snapshot while the site keeps running. SQLite: the online backup API, also safe
# while the site runs. The file is written beside its final name and renamed when complete, so
# a backup interrupted half-way never looks like a good one. Keep backups off the database
# machine (see docs/deployment.md, "Backups").
set -eu

url="${ENGAGE_DATABASE_URL:?set ENGAGE_DATABASE_URL to the database to back up}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)

case "$url" in
  postgresql*)
    out="${1:-engage-$stamp.dump}"
    # libpq does not know SQLAlchemy's driver suffix.
    pg_url=$(printf '%s' "$url" | sed 's/^postgresql+[a-z0-9]*:/postgresql:/')
    pg_dump --format=custom --no-owner --no-privileges --file="$out.partial" "$pg_url"
    ;;
  sqlite:///*)
    out="${1:-engage-$stamp.sqlite}"
    python3 - "${url#sqlite:///}" "$out.partial" <<'PY'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
target.close()
source.close()
PY
    ;;
  *)
    echo "backup.sh: unsupported ENGAGE_DATABASE_URL (PostgreSQL or SQLite)" >&2
    exit 2
    ;;
esac
mv "$out.partial" "$out"
echo "$out"
