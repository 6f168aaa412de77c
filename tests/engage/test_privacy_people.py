"""Subject access and erasure for anyone Engage knows: an administrator finds a person by email
(or by name and postcode for paper records) across accounts, the panel, event sign-ups and
nominations, responses, drafts and emails; downloads it all (audited); and erases it (confirmed,
audited), with responses to closed consultations anonymised rather than deleted."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import func, select

from engage.accounts.models import User
from engage.audit.models import AuditEvent
from engage.events.models import EventSignup
from engage.mail import queue_email
from engage.panel.models import PanelMember
from engage.privacy import people
from surveys import drafts
from surveys.base import utcnow
from surveys.models import Answer, Draft, Response
from tests import factories
from tests.engage.privacy_data import consultation, respond, signed_up
from tests.engage.test_panel import member

FIONA = "fiona.mackay@example.org"
SAM = "sam.jones@example.org"


def seed(db, email: str, name: str, postcode: str) -> dict:
    """One person in every place Engage keeps people."""
    account = factories.user("resident", email=email, name=name)
    panel = member(db, name=name, email=email, postcode=postcode)
    upcoming = signed_up(name, email=email)
    past = signed_up(name, email=email, ended_days_ago=30, attended=True)
    nominator = factories.user("jog")
    past.nominated_by_id = nominator.id
    closed = consultation(closed_days_ago=30)
    kept = respond(closed, text=f"Write to me, {name}", email=email)
    still_open = consultation(closed_days_ago=None)
    deleted = respond(still_open, text=f"My name is {name}, {postcode}", email="")
    draft = drafts.save(
        db,
        still_open,
        None,
        token=drafts.new_token(),
        values={still_open.questions[3].field_name: [email]},
        path=[],
        now=utcnow(),
    )
    queue_email(db, to=email, subject="Your place at the forum", body=f"Dear {name}")
    db.flush()
    return {
        "account": account,
        "panel": panel,
        "upcoming": upcoming,
        "past": past,
        "kept": kept,
        "deleted": deleted,
        "draft": draft,
        "closed": closed,
    }


def search(client, **data):
    response = client.post("/admin/people", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"]
    for value in data.values():  # no personal details in an address
        assert value.lower() not in location.lower()
    return location, client.get(location)


def audit(db, action):
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_finding_a_person_by_email_shows_everything_held(client, auth, db):
    fiona = seed(db, FIONA, "Fiona Mackay", "KA1 1AA")
    seed(db, SAM, "Sam Jones", "KA2 2BB")
    auth.login(factories.user("admin"))
    _location, page = search(client, email=FIONA.upper())
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    found = people.find(db, people.Query.clean(email=FIONA))
    assert found.counts() == {
        "accounts": 1,
        "panel_members": 1,
        "event_sign_ups": 2,
        "responses": 1,
        "drafts": 1,
        "emails": 1,
    }
    assert "7 records found" in text
    assert "nominated by a partner" in text
    assert "keeps it without their details, because the consultation has closed" in text
    assert [r.id for r in found.responses] == [fiona["kept"].id]
    assert "Sam Jones" not in text


def test_the_export_holds_everything_on_the_person_and_nothing_on_anyone_else(
    app, client, auth, db
):
    fiona = seed(db, FIONA, "Fiona Mackay", "KA1 1AA")
    factories.sign_in(app.test_client(), fiona["account"])  # her account's own activity
    seed(db, SAM, "Sam Jones", "KA2 2BB")
    admin = factories.user("admin")
    auth.login(admin)
    location, _page = search(client, email=FIONA)
    token = location.split("q=", 1)[1]
    before = len(audit(db, "privacy.person.exported"))
    download = client.get(f"/admin/people/export.json?q={token}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store"
    raw = download.get_data(as_text=True)
    data = json.loads(raw)
    assert [a["email"] for a in data["accounts"]] == [FIONA]
    assert [m["member"]["email"] for m in data["panel_members"]] == [FIONA]
    assert data["panel_members"][0]["member"]["postcode"] == "KA1 1AA"
    assert [s["email"] for s in data["event_sign_ups"]] == [FIONA, FIONA]
    assert sorted(s["nominated_by_partner"] for s in data["event_sign_ups"]) == [False, True]
    assert data["event_sign_ups"][0]["needs"] == ["A hearing loop", "Dietary needs"]
    (response,) = data["responses"]
    assert {"question": "Your email, if you want a reply", "value": FIONA, "text": None} in (
        response["answers"]
    )
    assert response["equalities"]["sexual_orientation"] == "bisexual"
    assert len(data["saved_drafts"]) == 1
    assert [e["subject"] for e in data["emails"]] == ["Your place at the forum"]
    (activity,) = data["audit_log_entries_by_their_account"]
    assert (activity["what"], activity["account"]) == ("auth.login", fiona["account"].id)
    for other in ("Sam", "Jones", SAM, "KA2 2BB"):
        assert other not in raw
    rows = audit(db, "privacy.person.exported")
    assert len(rows) == before + 1
    assert rows[-1].actor_id == admin.id
    assert rows[-1].detail["searched_by"] == "email"
    assert rows[-1].detail["event_sign_ups"] == 2
    assert FIONA not in json.dumps(rows[-1].detail)


def test_erasure_needs_confirming_then_leaves_nothing_findable(client, auth, db):
    fiona = seed(db, FIONA, "Fiona Mackay", "KA1 1AA")
    sam = seed(db, SAM, "Sam Jones", "KA2 2BB")
    ids = {key: item.id for key, item in fiona.items()}
    admin = factories.user("admin")
    auth.login(admin)
    location, _page = search(client, email=FIONA)
    token = location.split("q=", 1)[1]
    page = client.get(f"/admin/people/erase?q={token}").get_data(as_text=True)
    assert "because the consultation’s published figures count them" in page
    refused = client.post(f"/admin/people/erase?q={token}", data={})
    assert refused.status_code == 400
    assert "Tick the box to confirm" in refused.get_data(as_text=True)
    assert people.find(db, people.Query.clean(email=FIONA)).total == 7

    done = client.post(f"/admin/people/erase?q={token}", data={"confirm": "yes"})

    assert done.status_code == 303
    db.expire_all()
    assert people.find(db, people.Query.clean(email=FIONA)).total == 0
    # What is left under her name is the paper response that never gave her email address:
    # the page tells the administrator to search by name too (the next test erases it).
    by_name = people.find(db, people.Query.clean(name="Fiona Mackay"))
    assert [r.id for r in by_name.responses] == [ids["deleted"]]
    assert by_name.total == 1
    account = db.get(User, ids["account"])
    assert (account.active, account.name, account.totp_secret) == (False, "", None)
    assert db.get(PanelMember, ids["panel"]) is None
    for key in ("upcoming", "past"):
        signup = db.get(EventSignup, fiona[key].id)
        assert (signup.name, signup.email, signup.phone, signup.needs) == ("", "", "", [])
    assert db.get(EventSignup, ids["upcoming"]).status == "cancelled"
    assert db.get(EventSignup, ids["past"]).attended_at is not None  # still counted
    kept = db.get(Response, ids["kept"])
    assert kept is not None  # the closed consultation's figures stand
    texts = [a.text or json.dumps(a.value) for a in kept.answers]
    assert not any("Fiona" in t or FIONA in t for t in texts)
    assert kept.equalities.sexual_orientation is None
    assert kept.equalities.age_band == "25-34"
    assert db.get(Draft, ids["draft"]) is None
    # Sam is untouched.
    assert people.find(db, people.Query.clean(email=SAM)).counts() == {
        "accounts": 1,
        "panel_members": 1,
        "event_sign_ups": 2,
        "responses": 1,
        "drafts": 1,
        "emails": 1,
    }
    assert db.get(Response, sam["kept"].id) is not None
    (row,) = audit(db, "privacy.person.erased")
    assert row.actor_id == admin.id
    assert row.detail["accounts_disabled"] == 1
    assert row.detail["panel_members_erased"] == 1
    assert row.detail["event_sign_ups_cleared"] == 2
    assert row.detail["responses_anonymised"] == 1
    assert row.detail["drafts_deleted"] == 1
    assert row.detail["emails_deleted"] == 1
    assert "Fiona" not in json.dumps(row.detail)
    assert len(audit(db, "panel.member.erased")) == 1


def test_a_paper_record_is_found_by_name_and_postcode_and_erased(client, auth, db):
    fiona = seed(db, FIONA, "Fiona Mackay", "KA1 1AA")
    paper = fiona["deleted"].id
    auth.login(factories.user("admin"))
    query = people.Query.clean(name="fiona  mackay", postcode="ka11aa")
    found = people.find(db, query)
    assert paper in [r.id for r in found.responses]
    assert [m.id for m in found.members] == [fiona["panel"].id]
    other = people.find(db, people.Query.clean(name="Fiona Mackay", postcode="KA9 9ZZ"))
    assert paper not in [r.id for r in other.responses]
    assert other.members == []
    location, page = search(client, name="Fiona Mackay", postcode="KA1 1AA")
    assert "erasure deletes it, because the consultation has not closed" in page.get_data(
        as_text=True
    )
    token = location.split("q=", 1)[1]
    client.post(f"/admin/people/erase?q={token}", data={"confirm": "yes"})
    db.expire_all()
    assert db.get(Response, paper) is None
    assert (
        db.scalar(select(func.count()).select_from(Answer).where(Answer.response_id == paper)) == 0
    )


def test_a_search_needs_an_email_or_a_name_and_keeps_what_was_typed(client, auth, db):
    auth.login(factories.user("admin"))
    empty = client.post("/admin/people", data={"postcode": "KA1 1AA"})
    assert empty.status_code == 400
    text = empty.get_data(as_text=True)
    assert text.split("</title>")[0].count("Error:") == 1
    assert "Enter an email address, or a name" in text
    assert "Enter the person’s name as well as their postcode" in text
    assert 'value="KA1 1AA"' in text
    bad = client.post("/admin/people", data={"email": "fiona-at-example"})
    assert "Enter an email address in the correct format" in bad.get_data(as_text=True)
    assert 'value="fiona-at-example"' in bad.get_data(as_text=True)


def test_a_tampered_or_expired_search_is_refused(client, auth, db, app):
    auth.login(factories.user("admin"))
    assert client.get("/admin/people/export.json?q=nonsense").status_code == 302
    with app.app_context():
        from engage import crypto

        old = (
            crypto.cipher()
            .encrypt_at_time(
                json.dumps({"email": FIONA}).encode(),
                int((utcnow() - timedelta(hours=2)).timestamp()),
            )
            .decode()
        )
    assert client.get(f"/admin/people/export.json?q={old}").status_code == 302
    assert re.search("expired", client.get(f"/admin/people?q={old}").get_data(as_text=True))


def test_only_administrators_reach_the_people_pages(client, auth, db):
    auth.login(factories.user("officer"))
    assert client.get("/admin/people").status_code == 403
    assert client.post("/admin/people", data={"email": FIONA}).status_code == 403
