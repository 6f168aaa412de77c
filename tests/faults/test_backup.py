"""deploy/backup.sh and deploy/restore.sh, tried for real: the database is lost (every table
dropped and the schema rebuilt empty), the backup brings back every row, and the site takes new
responses after it (the sequences came back too)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from engage.app import create_app
from engage.db import get_session
from surveys.models import Answer, Consultation, Response
from tests import factories
from tests.conftest import app_config, reset_database
from tests.faults.services import ROOT, PrivatePostgres
from tests.faults.test_postgres_faults import seed_drafts

pytestmark = pytest.mark.faults


def run_script(name: str, database_url: str, *args: str, path: str = "") -> str:
    result = subprocess.run(
        [str(ROOT / "deploy" / name), *args],
        env={
            **os.environ,
            "ENGAGE_DATABASE_URL": database_url,
            "PATH": f"{path}:{os.environ['PATH']}" if path else os.environ["PATH"],
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def snapshot(url: str) -> dict[str, object]:
    engine = create_engine(url)
    with engine.connect() as connection:
        state = {
            "consultations": connection.scalars(
                select(Consultation.title).order_by(Consultation.id)
            ).all(),
            "responses": connection.execute(
                select(Response.id, Response.submission_token).order_by(Response.id)
            ).all(),
            "answers": connection.scalar(select(func.count()).select_from(Answer)),
        }
    engine.dispose()
    return state


def submit(app, slug: str, token: str) -> int:
    from engage.web.participate.journey import form_key

    with app.app_context():
        key = form_key(token)
    client = app.test_client()
    sent = client.post(f"/consultations/{slug}/respond/{token}/submit", data={"form_key": key})
    return sent.status_code


def lose_and_restore(app, url: str, tmp_path: Path, bindir: str = "") -> None:
    slug, tokens = seed_drafts(app, 6)
    for token in tokens[:4]:
        assert submit(app, slug, token) == 303
    before = snapshot(url)
    assert len(before["responses"]) == 4
    assert before["answers"] == 12

    backup = Path(run_script("backup.sh", url, str(tmp_path / "engage.backup"), path=bindir))
    assert backup.stat().st_size > 0
    assert not list(tmp_path.glob("*.partial"))

    app.extensions["engine"].dispose()
    reset_database(url)  # the database is lost: an empty schema
    assert snapshot(url)["responses"] == []

    assert run_script("restore.sh", url, str(backup), path=bindir) == f"restored {backup}"
    assert snapshot(url) == before
    # The site works on the restored database: a resident whose draft was saved sends it.
    assert submit(app, slug, tokens[4]) == 303
    with app.app_context():
        session = get_session()
        ids = session.scalars(select(Response.id).order_by(Response.id)).all()
        session.commit()
    assert len(ids) == 5
    assert ids[-1] > before["responses"][-1][0]  # no id handed out twice


def test_postgres_backup_and_restore(live, postgres: PrivatePostgres, tmp_path):
    lose_and_restore(live, postgres.url, tmp_path, bindir=str(postgres.bin))


def test_sqlite_backup_and_restore(tmp_path):
    url = f"sqlite:///{tmp_path}/engage.sqlite"
    reset_database(url)
    app = create_app(app_config(tmp_path / "instance", url, None))
    try:
        lose_and_restore(app, url, tmp_path)
    finally:
        app.extensions["engine"].dispose()
        factories.bind(None)  # type: ignore[arg-type]
