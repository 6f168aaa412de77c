"""JOG members' list of partner events open for nomination, with their organisation's places
used and left, linked from their navigation."""

from __future__ import annotations

from datetime import timedelta

from engage.events import nominations, services
from surveys.base import utcnow
from tests import factories
from tests.engage.events_data import details, event


def section(page: str, title: str) -> str:
    """The list item for one event on the page."""
    start = page.index(title)
    return page[start : page.index("</li>", start)]


def test_jog_members_see_partner_events_open_for_nomination(client, db, auth):
    police = factories.organisation(kind="police")
    jog = factories.user(role="jog", organisation_=police)
    capped = event(capacity=10, audience="partners", title="Community safety seminar")
    nominations.set_allocations(db, capped, {police.id: 3})
    nominations.nominate(
        db,
        capped,
        details("Sergeant Kerr"),
        organisation_id=police.id,
        organisation_name=police.name,
        nominated_by_id=jog.id,
        now=utcnow(),
    )
    nhs = factories.organisation(kind="health")
    services.sign_up(db, capped, details("Nurse Nye"), now=utcnow(), organisation_id=nhs.id)
    open_ended = event(audience="partners", title="JOG development session")
    full = event(audience="partners", title="Data workshop", capacity=1)
    nominations.set_allocations(db, full, {police.id: 1})
    nominations.nominate(
        db,
        full,
        details("PC Bell"),
        organisation_id=police.id,
        organisation_name=police.name,
        nominated_by_id=jog.id,
        now=utcnow(),
    )
    hidden = {
        "public": event(title="North Locality Forum"),
        "cancelled": event(audience="partners", title="Called-off seminar"),
        "not yet": event(
            audience="partners",
            title="Autumn planning day",
            signup_opens_at=utcnow() + timedelta(days=3),
        ),
        "closed": event(
            audience="partners",
            title="Closed briefing",
            signup_closes_at=utcnow() - timedelta(hours=1),
        ),
        "past": event(
            audience="partners", title="Last year's review", starts_at=utcnow() - timedelta(days=9)
        ),
    }
    services.cancel_event(db, hidden["cancelled"], "Speaker unwell", now=utcnow())

    auth.login(jog)
    response = client.get("/events/nominations")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Events open for nomination" in page
    for item in hidden.values():
        assert item.title not in page
    assert page.index(capped.title) < page.index(open_ended.title)  # soonest first
    mine = section(page, capped.title)
    assert f"{police.name} has 3 places: 1 used, 2 left." in mine  # the NHS nurse is not ours
    assert f'href="/events/{capped.id}/nominate"' in mine
    assert "Nominate staff" in mine
    unlimited = section(page, open_ended.title)
    assert f"No limit for {police.name}: you have nominated 0 people." in unlimited
    used_up = section(page, full.title)
    assert "1 used, 0 left" in used_up
    assert "See your nominations" in used_up
    assert "The event is full" in used_up
    # The nomination form the list links to works.
    assert client.get(f"/events/{capped.id}/nominate").status_code == 200


def test_the_list_is_in_jog_members_navigation_only(client, db, auth):
    jog = factories.user(role="jog")
    officer = factories.user(role="officer")
    assert client.get("/events/nominations").status_code in (302, 401)
    auth.login(officer)
    assert client.get("/events/nominations").status_code == 403
    assert "Event nominations" not in client.get("/events/").get_data(as_text=True)
    auth.logout()
    auth.login(jog)
    page = client.get("/events/").get_data(as_text=True)
    assert 'href="/events/nominations"' in page
    assert "Event nominations" in page
    empty = client.get("/events/nominations").get_data(as_text=True)
    assert "No partner events are open for nomination at the moment" in empty


def test_places_for_partners_a_mistake_keeps_every_place_typed(client, db, auth):
    officer = factories.user(role="officer")
    police = factories.organisation(kind="police")
    nhs = factories.organisation(kind="health")
    item = event(audience="partners", title="JOG development session")
    item.organisation_id = officer.organisation_id
    db.flush()
    auth.login(officer)
    url = f"/manage/events/{item.id}/allocations"
    bad = client.post(url, data={f"places-{police.id}": "4", f"places-{nhs.id}": "lots"})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert f"Enter {nhs.name}&#39;s places as a whole number, like 3" in page
    assert f'href="#places-{nhs.id}"' in page
    assert 'value="4"' in page
    assert 'value="lots"' in page
    db.expire_all()
    assert item.allocations == []
    good = client.post(url, data={f"places-{police.id}": "4", f"places-{nhs.id}": ""})
    assert good.status_code == 303
    db.expire_all()
    assert {a.organisation_id: a.places for a in item.allocations}.get(police.id) == 4
