"""The demo partnership has its strategic priorities as a codebook every partner can use."""

from __future__ import annotations

import re

from sqlalchemy import select

from engage.accounts.models import User
from engage.demo import seed


def test_the_demo_codebook_is_shared_with_every_partner(app, client, auth, db, monkeypatch):
    monkeypatch.setattr(seed.findings, "dispatch", lambda session, celery, runs: None)
    with app.app_context():
        seed.run()
    nhs_officer = db.scalars(select(User).where(User.email.startswith("officer.nhs@"))).one()
    auth.login(nhs_officer, password=seed.DEMO_PASSWORD)
    index = client.get("/codebooks/").get_data(as_text=True)
    assert "Craigmuir strategic priorities 2027 to 2037" in index
    page = client.get("/manage/").get_data(as_text=True)
    assert "Codebooks for theme analysis" in page
    codebook_id = re.search(r'href="/codebooks/(\d+)"', index).group(1)
    shown = client.get(f"/codebooks/{codebook_id}").get_data(as_text=True)
    assert "Older people – adding life to years" in shown
    assert "Community regeneration and empowerment" in shown
