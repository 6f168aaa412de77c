"""The Residents' Panel's newsletters: composed, previewed, sent to members who want them, and
kept in an archive anyone can read on the web. Above ``engage.panel`` (whose members they go to)
and ``engage.curation`` (whose published themes they carry).

A newsletter can carry a consultation's "We asked, you said, we did" (``from_results``): its three
texts as sections, the approved themes officers chose to publish under "You said" with their
chosen quotes (personal details masked), and a link to the consultation's hub page. It is a
copy made when the officer starts it, so the archive keeps what was sent even if the published
text is edited later; one such newsletter is sent per consultation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from analysis import pii
from engage.curation import services as curation
from engage.db import rows_changed
from engage.panel import emails
from engage.panel.models import MemberStatus, PanelMember, PanelNewsletter
from surveys.lifecycle import has_results
from surveys.models import Consultation

SECTIONS = 3  # sections on the compose form; empty ones are left out


def archive(session: Session) -> list[PanelNewsletter]:
    return list(
        session.scalars(
            select(PanelNewsletter)
            .where(PanelNewsletter.sent_at.is_not(None))
            .order_by(PanelNewsletter.sent_at.desc())
        )
    )


def published(session: Session, newsletter_id: int) -> PanelNewsletter | None:
    item = session.get(PanelNewsletter, newsletter_id)
    return item if item is not None and item.sent_at is not None else None


def with_results(session: Session) -> list[Consultation]:
    """Consultations whose "We asked, you said, we did" is public: what a section can link to."""
    items = session.scalars(
        select(Consultation)
        .where(Consultation.published_at.is_not(None))
        .order_by(Consultation.published_at.desc())
    )
    return [c for c in items if has_results(c)]


def result_links(session: Session, item: PanelNewsletter) -> dict[int, dict[str, str]]:
    """For each section that links to results: the consultation's title and hub page."""
    links = {}
    for n, section in enumerate(item.sections):
        consultation_id = section.get("consultation_id")
        consultation = session.get(Consultation, consultation_id) if consultation_id else None
        if consultation is not None and has_results(consultation):
            links[n] = {
                "title": consultation.title,
                "href": url_for("public.consultation", slug=consultation.slug),
            }
    return links


def save(
    session: Session, item: PanelNewsletter | None, values: dict[str, Any], officer_id: int | None
) -> PanelNewsletter:
    if item is None:
        item = PanelNewsletter(created_by_id=officer_id)
        session.add(item)
    # Themes of a results newsletter are not on the form: they stay with their section.
    themes = {n: s["themes"] for n, s in enumerate(item.sections or [], 1) if s.get("themes")}
    item.title = values["title"]
    item.intro = values["intro"]
    item.locality = values["locality"]
    item.sections = [
        {k: s[k] for k in ("heading", "body", "consultation_id")}
        | ({"themes": themes[s["n"]]} if s.get("n") in themes else {})
        for s in values["sections"]
    ]
    session.flush()
    return item


def for_results(session: Session, consultation_id: int) -> PanelNewsletter | None:
    """The newsletter carrying this consultation's results, if one was started."""
    return session.scalar(
        select(PanelNewsletter)
        .where(PanelNewsletter.consultation_id == consultation_id)
        .order_by(PanelNewsletter.id.desc())
        .limit(1)
    )


def results_themes(session: Session, consultation_id: int) -> list[dict[str, Any]]:
    """The themes "We asked, you said, we did" shows, with quotes masked (masking again is
    harmless: ``publishable`` already masks, and the newsletter must never depend on it)."""
    return [
        {
            "label": theme.label,
            "residents": residents,
            "quotes": [pii.mask_text(q) for q in quotes if q],
        }
        for theme, residents, quotes in curation.publishable(
            session, consultation_id, published_only=True
        )
    ]


def from_results(
    session: Session, consultation: Consultation, *, officer_id: int | None
) -> PanelNewsletter:
    """A draft newsletter with the consultation's "We asked, you said, we did"."""
    if not has_results(consultation):
        raise ValueError("The consultation's results are not published")
    item = PanelNewsletter(
        created_by_id=officer_id,
        consultation_id=consultation.id,
        title=f"We asked, you said, we did: {consultation.title}"[:200],
        intro=(
            f"You may have taken part in “{consultation.title}”. Here is what people told us "
            "and what the partnership is doing about it."
        ),
        sections=[
            {"heading": "We asked", "body": consultation.we_asked, "consultation_id": None},
            {
                "heading": "You said",
                "body": consultation.you_said,
                "consultation_id": None,
                "themes": results_themes(session, consultation.id),
            },
            {"heading": "We did", "body": consultation.we_did, "consultation_id": consultation.id},
        ],
    )
    session.add(item)
    session.flush()
    return item


def recipients(session: Session, item: PanelNewsletter) -> list[PanelMember]:
    members = session.scalars(
        select(PanelMember)
        .where(PanelMember.status == MemberStatus.ACTIVE, PanelMember.newsletters.is_(True))
        .order_by(PanelMember.id)
    )
    return [
        m
        for m in members
        if m.emailable and (not item.locality or m.profile.get("locality") == item.locality)
    ]


def send(session: Session, item: PanelNewsletter, *, now: datetime) -> int:
    """Email it to the members who want newsletters; sending twice sends nothing more.

    The newsletter is claimed with a conditional update, so two officers pressing Send at once
    (or a double click) queue one set of emails: the second waits for the first's row lock and
    then finds it sent."""
    if item.sent_at is not None:
        return 0
    claimed = rows_changed(
        session,
        update(PanelNewsletter)
        .where(PanelNewsletter.id == item.id, PanelNewsletter.sent_at.is_(None))
        .values(sent_at=now)
        .execution_options(synchronize_session=False),
    )
    if claimed != 1:
        session.refresh(item)
        return 0
    chosen = recipients(session, item)
    for member in chosen:
        emails.newsletter(session, item, member)
    item.sent_at = now
    item.recipients = len(chosen)
    session.flush()
    return len(chosen)
