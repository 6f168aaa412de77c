"""Tracked links: codes, validation, resolving ?via= codes, channels, counts."""

from __future__ import annotations

import secrets
import threading

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from engage.db import make_engine
from surveys import links, services
from surveys.base import utcnow
from surveys.models import Channel, Consultation, Organisation, TrackedLink
from tests import factories


def test_codes_are_short_unguessable_and_unambiguous():
    codes = {links.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == links.CODE_LENGTH
        assert links.is_code(code)
        assert not set(code) & set("01ilo")


def test_is_code_refuses_anything_else():
    for value in (None, "", "abc", "ABCDEFGHJK", "2345678901", "23456789ab/", "23456789a b"):
        assert not links.is_code(value)


def test_create_link_keeps_label_and_channel(db):
    item = factories.consultation()
    link = links.create_link(db, item, label="  College   website ", channel="embed")
    assert link.id is not None
    assert (link.label, link.channel, link.visits) == ("College website", "embed", 0)
    assert link.consultation_id == item.id
    assert links.is_code(link.code)


@pytest.mark.parametrize(
    ("label", "channel", "field", "message"),
    [
        ("   ", "hub", "label", "Enter a name for the link"),
        ("x" * 201, "hub", "label", "200 characters or fewer"),
        ("Leaflet", "paper", "channel", "Select where you will share the link"),
        ("Leaflet", "nonsense", "channel", "Select where you will share the link"),
    ],
)
def test_create_link_refuses_bad_input_in_plain_english(db, label, channel, field, message):
    item = factories.consultation()
    with pytest.raises(links.LinkError, match=message) as caught:
        links.create_link(db, item, label=label, channel=channel)
    assert caught.value.field == field


def test_labels_are_unique_within_a_consultation_only(db):
    first, second = factories.consultation(), factories.consultation()
    links.create_link(db, first, label="Facebook post", channel="hub")
    with pytest.raises(links.LinkError, match="already has a link called"):
        links.create_link(db, first, label="facebook POST", channel="event")
    assert links.create_link(db, second, label="Facebook post", channel="hub").id


def test_resolve_finds_only_this_consultations_links(db):
    mine, other = factories.consultation(), factories.consultation()
    link = links.create_link(db, mine, label="Staff bulletin", channel="intranet")
    theirs = links.create_link(db, other, label="Staff bulletin", channel="intranet")
    assert links.resolve(db, mine, link.code) is link
    assert links.resolve(db, mine, theirs.code) is None
    assert links.resolve(db, mine, None) is None
    assert links.resolve(db, mine, "") is None
    assert links.resolve(db, mine, "not a code'; drop table") is None
    assert links.resolve(db, mine, links.new_code()) is None


def test_channel_for_prefers_the_links_channel():
    intranet = TrackedLink(code="x", label="Intranet", channel=Channel.INTRANET)
    event = TrackedLink(code="y", label="Stall", channel=Channel.EVENT)
    assert links.channel_for(intranet, embedded=True) == "intranet"
    assert links.channel_for(event, embedded=False) == "event"
    assert links.channel_for(None, embedded=True) == "embed"
    assert links.channel_for(None, embedded=False) == "hub"


def test_respond_paths():
    assert links.respond_path("parks", "abc", embedded=False) == (
        "/consultations/parks/respond?via=abc"
    )
    assert links.respond_path("parks", "abc", embedded=True) == "/embed/parks/respond?via=abc"


def test_record_visit_adds_one_each_time(db):
    link = links.create_link(db, factories.consultation(), label="Poster", channel="event")
    links.record_visit(db, link.id)
    links.record_visit(db, link.id)
    db.refresh(link)
    assert link.visits == 2


def test_counts_by_channel_and_link_include_zeros(db):
    item = factories.consultation()
    college = links.create_link(db, item, label="College website", channel="embed")
    intranet = links.create_link(db, item, label="NHS staff intranet", channel="intranet")
    unused = links.create_link(db, item, label="Facebook post", channel="hub")
    for channel, link in [
        ("embed", college),
        ("embed", college),
        ("intranet", intranet),
        ("hub", None),
        ("paper", None),
    ]:
        services.submit_response(
            db,
            item,
            {},
            token=secrets.token_urlsafe(24),
            now=utcnow(),
            channel=channel,
            tracked_link_id=link.id if link else None,
        )
    other = factories.consultation()
    services.submit_response(db, other, {}, token=secrets.token_urlsafe(24), now=utcnow())

    by_channel = {c.channel: c.responses for c in links.channel_counts(db, item.id)}
    assert by_channel == {
        "hub": 1,
        "embed": 2,
        "intranet": 1,
        "paper": 1,
        "event": 0,
        "phone": 0,
        "panel": 0,
    }
    stats = links.link_stats(db, item.id)
    assert [(s.link.id, s.responses) for s in stats] == [
        (college.id, 2),
        (intranet.id, 1),
        (unused.id, 0),
    ]
    assert stats[0].channel_label == "Partner website"


def test_simultaneous_visits_are_all_counted(database_url):
    """Visits commit from many connections at once; a read-then-write count would lose some."""
    engine = make_engine(database_url)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session:
        org = Organisation(code=f"race-{secrets.token_hex(4)}", name="Race", kind="council")
        session.add(org)
        session.flush()
        item = services.create_consultation(
            session,
            title="Race",
            summary="",
            organisation_id=org.id,
            opens_at=None,
            closes_at=None,
            slug=f"race-{secrets.token_hex(4)}",
        )
        link = links.create_link(session, item, label="Poster", channel="event")
        session.commit()
    visitors, barrier = 12, threading.Barrier(12)
    failures: list[BaseException] = []

    def visit() -> None:
        try:
            with factory() as session:
                barrier.wait()
                for _ in range(5):
                    links.record_visit(session, link.id)
                    session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=visit) for _ in range(visitors)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with Session(engine) as session:
            visits = session.scalar(select(TrackedLink.visits).where(TrackedLink.id == link.id))
        assert failures == []
        assert visits == visitors * 5
    finally:
        with engine.begin() as connection:
            connection.execute(delete(TrackedLink).where(TrackedLink.id == link.id))
            connection.execute(delete(Consultation).where(Consultation.id == item.id))
            connection.execute(delete(Organisation).where(Organisation.id == org.id))
        engine.dispose()
