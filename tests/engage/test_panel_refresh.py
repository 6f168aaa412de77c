"""Issue 6's refresh and postal gaps: invitation letters for members contacted by post (a
printable page and a formula-escaped mail-merge CSV, both audited), the report per recruitment
wave, renewing a membership (by an officer, or by the member from an emailed link), the
locality cross-table, and rate limits on joining and sign-in links that reveal no membership."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.audit.models import AuditEvent
from engage.panel import balance, exercises, profile
from engage.panel.models import PanelMember
from engage.panel.services import Details, add_from_paper
from engage.ratelimit import Limit
from engage.web.panel import views
from surveys.base import utcnow
from tests import factories
from tests.engage.test_panel import (  # noqa: F401 - localities is an autouse fixture
    LOCALITIES,
    answer_through_link,
    emails_to,
    join_form,
    link_in,
    localities,
    make_exercise,
    member,
)


@pytest.fixture
def ctx(app):
    return app.app_context


def audit(db, action):
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def postal(db, name, **kw):
    details = Details(
        name=name,
        contact_by="post",
        address=kw.get("address", "1 High Street\nCraigmuir"),
        postcode="KA1 1AA",
    )
    return add_from_paper(
        db,
        details,
        {"age_band": "65-74", "locality": LOCALITIES[0]},
        signed_on=utcnow(),
        now=utcnow(),
        term_years=3,
        officer_id=None,
    )


def test_letters_for_postal_members_printable_and_mail_merge_escaped(client, db, auth, ctx):
    auth.login(factories.user("officer"))
    survey = factories.consultation()
    member(db, email="online@example.org")
    paper = postal(db, "Morag Post")
    sly = postal(db, '=HYPERLINK("http://evil.example","x")', address="@SUM(1+1)\nTown")
    exercise = make_exercise(db, survey)
    assert client.get(f"/manage/panel/exercises/{exercise.id}/letters").status_code == 409
    with ctx():
        exercises.send(db, exercise, now=utcnow())
    page = client.get(f"/manage/panel/exercises/{exercise.id}").get_data(as_text=True)
    assert "print the invitation letters" in page

    letters = client.get(f"/manage/panel/exercises/{exercise.id}/letters")
    text = letters.get_data(as_text=True)
    assert letters.status_code == 200
    assert text.count('class="engage-letter"') == 2
    assert "Dear Morag Post," in text
    assert f"/panel/exercises/{exercise.id}/answer/" in text
    assert "online@example.org" not in text

    download = client.get(f"/manage/panel/exercises/{exercise.id}/letters.csv")
    assert download.headers["Content-Disposition"].endswith(f"panel-letters-{exercise.id}.csv")
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Reference", "Name", "Address", "Postcode"]
    by_ref = {r[0]: r for r in rows[1:]}
    assert by_ref[f"P{exercise.id}-{paper.id}"][2] == "1 High Street, Craigmuir"
    hostile = by_ref[f"P{exercise.id}-{sly.id}"]
    assert hostile[1].startswith("'=HYPERLINK")  # a spreadsheet shows it, never runs it
    assert hostile[2].startswith("'@SUM")
    assert "/answer/" in hostile[6]
    events = audit(db, "panel.letters")
    assert [e.detail["format"] for e in events] == ["page", "csv"]
    assert all(e.detail["letters"] == 2 for e in events)
    assert all(e.target_id == str(exercise.id) for e in events)

    # A postal member who has answered gets no letter (answered by a link typed from one).
    link = by_ref[f"P{exercise.id}-{paper.id}"][6]
    answer_through_link(client, db, "/" + link.split("://", 1)[1].split("/", 1)[1], survey)
    again = client.get(f"/manage/panel/exercises/{exercise.id}/letters").get_data(as_text=True)
    assert again.count('class="engage-letter"') == 1
    # The exercise page counts only those still to answer as needing paper (was 2: everyone
    # out of email's reach, answered or not), the same as the letters.
    page = client.get(f"/manage/panel/exercises/{exercise.id}").get_data(as_text=True)
    assert "1 member who has not answered cannot be emailed" in page


def test_wave_report_counts_joins_confirmations_and_profile(client, db, auth):
    client.post("/panel/join?wave=young-2027", data=join_form(email="a@example.org"))
    client.post(
        "/panel/join?wave=young-2027",
        data=join_form(email="b@example.org", **{"eq-age_band": "16-24"}),
    )
    confirm = link_in(emails_to(db, "b@example.org")[0], "/panel/confirm/")
    client.post(confirm)
    member(db, email="c@example.org")  # no wave
    auth.login(factories.user("officer"))
    page = client.get("/manage/panel/waves").get_data(as_text=True)
    row = page.split(">young-2027</a>")[1].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]]
    assert cells[1:] == ["2", "1 (50%)", "1"]
    assert "No wave named" in page
    detail = client.get("/manage/panel/waves?wave=young-2027").get_data(as_text=True)
    assert "1 confirmed (50%)" in detail
    age = detail.split('id="wave-age_band"')[1].split("</table>")[0]
    assert ">16 to 24<" in age or "16-24" in age or "16 to 24" in age
    assert client.get("/manage/panel/waves?wave=nobody").status_code == 404


def test_officer_renews_a_membership_from_the_end_of_its_term(client, db, auth):
    officer = factories.user("officer")
    auth.login(officer)
    person = member(db, email="stay@example.org")
    person.term_ends_at = utcnow() + timedelta(days=30)
    ends = person.term_ends_at
    db.flush()
    assert "Renew membership" in client.get(f"/manage/panel/members/{person.id}").get_data(
        as_text=True
    )
    assert client.post(f"/manage/panel/members/{person.id}/renew").status_code == 303
    db.expire_all()
    assert person.term_ends_at.date() == ends.replace(year=ends.year + 3).date()
    (event,) = audit(db, "panel.member.renewed")
    assert event.actor_id == officer.id
    assert event.detail["by"] == "officer"


def test_members_near_the_end_renew_from_an_emailed_link_once(client, db, auth):
    auth.login(factories.user("officer"))
    near = member(db, email="near@example.org")
    near.term_ends_at = utcnow() + timedelta(days=20)
    later = member(db, email="later@example.org")
    later.term_ends_at = utcnow() + timedelta(days=400)
    by_post = postal(db, "Paper Person")
    by_post.term_ends_at = utcnow() + timedelta(days=20)
    db.flush()
    assert "Email renewal links" in client.get("/manage/panel/").get_data(as_text=True)
    client.post("/manage/panel/renewals")
    client.post("/manage/panel/renewals")  # again at once: nobody is sent a second link
    (email,) = emails_to(db, "near@example.org")
    assert emails_to(db, "later@example.org") == []
    assert "List-Unsubscribe" in email.headers
    assert len(audit(db, "panel.renewal.sent")) == 1
    auth.logout()

    link = link_in(email, "/panel/renew/")
    page = client.get(link)
    assert page.status_code == 200  # a button to press: a mail scanner renews nothing
    db.expire_all()
    ends = near.term_ends_at
    assert "Stay on the panel" in page.get_data(as_text=True)
    done = client.post(link)
    assert "You are staying on the panel" in done.get_data(as_text=True)
    db.expire_all()
    assert near.term_ends_at.date() == ends.replace(year=ends.year + 3).date()
    assert client.post(link).status_code == 404  # used: the term it renewed has moved
    events = audit(db, "panel.member.renewed")
    assert [(e.actor_id, e.detail["by"]) for e in events] == [(None, "member")]
    assert client.get("/panel/renew/not-a-token").status_code == 404


def test_cross_table_counts_for_officers_and_fewer_than_10_otherwise(client, db, auth):
    block = profile.questions(LOCALITIES)
    profiles = [{"locality": LOCALITIES[0], "age_band": "25-34"}] * 12
    profiles += [{"locality": LOCALITIES[1], "age_band": "25-34"}] * 3
    shown = balance.cross_table(block, profiles, "age_band")
    hidden = balance.cross_table(block, profiles, "age_band", suppressed=True)
    column = [o["value"] for o in block[0].options].index("25-34")
    assert [cells[column] for _, cells in shown.rows][:2] == [12, 3]
    assert [cells[column] for _, cells in hidden.rows][:2] == [12, "fewer than 10"]
    assert hidden.totals[column] == 15
    assert balance.cross_table(block, profiles, "locality") is None
    for _ in range(3):
        member(db, email="", profile={"locality": LOCALITIES[1], "age_band": "25-34"})
    auth.login(factories.user("officer"))
    page = client.get("/manage/panel/balance?by=age_band").get_data(as_text=True)
    table = page.split('id="cross-caption"')[1].split("</table>")[0]
    assert "Craigmuir South" in table
    assert "fewer than 10" not in table  # officers see the counts


def test_sign_in_links_are_limited_per_address_alike_for_members_and_others(client, db):
    member(db, email="known@example.org")
    replies = {}
    for address in ("known@example.org", "nobody@example.org"):
        for _ in range(5):
            assert client.post("/panel/sign-in", data={"email": address}).status_code == 303
        refused = client.post("/panel/sign-in", data={"email": address.upper()})
        assert refused.status_code == 429
        page = refused.get_data(as_text=True)
        assert "Error:" in page
        assert "Wait an hour, then try again" in page
        assert f'value="{address.upper()}"' in page  # nothing typed is lost
        # The same page but for the address, the CSP nonce and the form token.
        page = re.sub(r'(nonce|value)="[^"]*"', "", page.replace(address.upper(), "ADDRESS"))
        replies[address] = page
    assert replies["known@example.org"] == replies["nobody@example.org"]  # no enumeration
    assert len(emails_to(db, "known@example.org")) == 5


def test_joining_is_limited_per_address_and_per_ip_keeping_what_was_typed(client, db, monkeypatch):
    for _ in range(3):
        assert client.post("/panel/join", data=join_form(email="x@example.org")).status_code == 303
    refused = client.post("/panel/join", data=join_form(email="x@example.org", name="Sam Typed"))
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Wait an hour" in page
    assert 'value="Sam Typed"' in page
    assert 'value="x@example.org"' in page
    assert len(db.scalars(select(PanelMember)).all()) == 1  # a second sign-up is caught too

    monkeypatch.setattr(
        views,
        "JOIN_LIMITS",
        (
            Limit("panel.join.address", 3, timedelta(days=1)),
            Limit("panel.join.ip", 2, timedelta(hours=1)),
        ),
    )
    monkeypatch.setattr(
        views, "SIGN_IN_LIMITS", (Limit("panel.sign_in.ip", 0, timedelta(hours=1)),)
    )
    assert client.post("/panel/join", data=join_form(email="y@example.org")).status_code == 429
    other_ip = client.post(
        "/panel/join",
        data=join_form(email="z@example.org"),
        environ_overrides={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert other_ip.status_code == 303
    assert client.post("/panel/sign-in", data={"email": "q@example.org"}).status_code == 429


def test_old_rate_limit_rows_are_purged_by_the_tick(db, ctx):
    from engage import ratelimit
    from engage.panel import jobs

    with ctx():
        ratelimit.hit(
            db, [(views.SIGN_IN_LIMITS[0], "a@example.org")], now=utcnow() - timedelta(days=3)
        )
        ratelimit.hit(db, [(views.SIGN_IN_LIMITS[0], "a@example.org")], now=utcnow())
        outcome = jobs.tick(db, now=utcnow(), retention_days=365)
    assert outcome["rate_limit_purged"] == 1
    assert db.scalars(select(ratelimit.RateLimitHit)).all()[0].key_hash != "a@example.org"
