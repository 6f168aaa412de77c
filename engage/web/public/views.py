"""The consultation hub: what anyone can read without signing in."""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from typing import cast

from flask import abort, current_app, render_template, request, send_file
from flask.typing import ResponseReturnValue
from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy.orm import lazyload

from engage.curation import services as curation
from engage.db import get_session
from engage.web.public import bp
from surveys import services, snapshot
from surveys.documents import describe
from surveys.lifecycle import has_results
from surveys.models import (
    TOPICS,
    Consultation,
    ConsultationStatus,
    Document,
    Draft,
    Organisation,
    consultation_co_owners,
)

# States in which a consultation has a public page. Scheduled ones are listed as forthcoming;
# archived ones keep their page (old links still work) but leave the hub's lists.
PUBLIC_STATES = (
    ConsultationStatus.SCHEDULED,
    ConsultationStatus.OPEN,
    ConsultationStatus.CLOSED,
    ConsultationStatus.PUBLISHED,
    ConsultationStatus.ARCHIVED,
)
LISTED_STATES = (
    ConsultationStatus.SCHEDULED,
    ConsultationStatus.OPEN,
    ConsultationStatus.CLOSED,
    ConsultationStatus.PUBLISHED,
)
MAX_QUERY = 100


@cache
def _survey_query() -> Select[tuple[Consultation, str | None, Draft]]:
    """Built once: under load, building the statement cost more than the rows it reads. The
    partner is left out (read only if a page shows it)."""
    return (
        select(Consultation, Consultation.survey_version, Draft)
        .outerjoin(
            Draft,
            and_(Draft.consultation_id == Consultation.id, Draft.token == bindparam("token")),
        )
        .where(Consultation.slug == bindparam("slug"))
        .options(lazyload(Consultation.organisation))
    )


def public_survey(slug: str, token: str) -> tuple[Consultation, Draft | None]:
    """A consultation residents may see (or 404) with its pages and questions, and the draft
    ``token`` names for it: everything a submission reads, in one round trip.

    The pages and questions come from this process's snapshot while the survey's version, read
    in the same query, is still theirs (``surveys.snapshot``); otherwise they are read again.
    """
    row = get_session().execute(_survey_query(), {"slug": slug, "token": token}).first()
    if row is None or row[0].status not in PUBLIC_STATES:
        abort(404)
    survey = snapshot.survey(get_session(), row[0], row[1])
    # A Survey answers for its Consultation row (every attribute but the pages and questions
    # passes through to it), so the journey and the writer take it as one.
    return cast(Consultation, survey), row[2]


def public_consultation(slug: str) -> Consultation:
    consultation = get_session().scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None or consultation.status not in PUBLIC_STATES:
        abort(404)
    return consultation


@dataclass(frozen=True)
class Filters:
    """What a resident asked the hub for, read from the address so any view can be linked."""

    q: str = ""
    partner: str = ""  # an organisation's code
    topic: str = ""
    locality: str = ""

    @property
    def active(self) -> bool:
        return any(asdict(self).values())


def read_filters(args: dict[str, str], partners: dict[str, str], places: list[str]) -> Filters:
    """Unknown values are dropped rather than refused: an old or edited link still shows a list."""
    q = " ".join(args.get("q", "").split())[:MAX_QUERY]
    partner = args.get("partner", "")
    topic = args.get("topic", "")
    locality = args.get("locality", "")
    return Filters(
        q=q,
        partner=partner if partner in partners else "",
        topic=topic if topic in TOPICS else "",
        locality=locality if locality in places else "",
    )


def listed() -> Select[tuple[Consultation]]:
    """What the hub lists and searches: not drafts or archives, and nothing answered only from
    personal links (an event's feedback survey, for the people who came)."""
    return select(Consultation).where(
        Consultation.status.in_(LISTED_STATES), Consultation.personal_links_only.is_(False)
    )


def hub_query(filters: Filters) -> Select[tuple[Consultation]]:
    stmt = listed()
    for word in filters.q.split():
        stmt = stmt.where(
            or_(
                Consultation.title.icontains(word, autoescape=True),
                Consultation.summary.icontains(word, autoescape=True),
            )
        )
    if filters.partner:
        org_id = select(Organisation.id).where(Organisation.code == filters.partner)
        co_owned = select(consultation_co_owners.c.consultation_id).where(
            consultation_co_owners.c.organisation_id.in_(org_id)
        )
        stmt = stmt.where(
            or_(Consultation.organisation_id.in_(org_id), Consultation.id.in_(co_owned))
        )
    if filters.topic:
        stmt = stmt.where(Consultation.topic == filters.topic)
    return stmt


def localities_in_use(consultations: list[Consultation]) -> list[str]:
    """The partnership's localities, then any others a listed consultation names."""
    places = list(current_app.config["LOCALITIES"])
    for item in consultations:
        places += [p for p in item.localities if p not in places]
    return places


@bp.get("/")
def index() -> ResponseReturnValue:
    session = get_session()
    everything = session.scalars(listed()).all()
    partners = dict(session.execute(select(Organisation.code, Organisation.name)).tuples().all())
    places = localities_in_use(list(everything))
    filters = read_filters(request.args.to_dict(), partners, places)
    found = session.scalars(hub_query(filters)).all()
    if filters.locality:
        # Consultations about the whole partnership area are about every locality in it.
        found = [c for c in found if not c.localities or filters.locality in c.localities]
    far = datetime.max.replace(tzinfo=UTC)
    groups = {
        "open": sorted(
            (c for c in found if c.status == ConsultationStatus.OPEN),
            key=lambda c: c.closes_at or far,
        ),
        "forthcoming": sorted(
            (c for c in found if c.status == ConsultationStatus.SCHEDULED),
            key=lambda c: c.opens_at or far,
        ),
        "closed": sorted(
            (
                c
                for c in found
                if c.status in (ConsultationStatus.CLOSED, ConsultationStatus.PUBLISHED)
            ),
            key=lambda c: c.closes_at or far,
            reverse=True,
        ),
    }
    return render_template(
        "public/index.html",
        groups=groups,
        total=len(found),
        filters=filters,
        partners=sorted(partners.items(), key=lambda item: item[1]),
        topics=TOPICS,
        places=places,
    )


@bp.get("/consultations/<slug>")
def consultation(slug: str) -> ResponseReturnValue:
    item = public_consultation(slug)
    accepting = services.is_accepting(item, datetime.now(UTC))
    return render_template(
        "public/consultation.html",
        consultation=item,
        accepting=accepting,
        personal=item.personal_links_only,
        results=has_results(item),
        themes=(
            curation.publishable(get_session(), item.id, published_only=True)
            if has_results(item)
            else []
        ),
        topic=TOPICS.get(item.topic, ""),
        describe=describe,
    )


@bp.get("/consultations/<slug>/documents/<int:document_id>")
def document(slug: str, document_id: int) -> ResponseReturnValue:
    item = public_consultation(slug)
    found = get_session().get(Document, document_id)
    if found is None or found.consultation_id != item.id:
        abort(404)
    response = send_file(
        io.BytesIO(found.data),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=found.filename,
    )
    # An uploaded file is never a page of ours: were a browser to show it anyway, it runs no
    # script and reaches nothing (the usual policy is set only where a view set none).
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.app_template_filter()
def paragraphs(text: str) -> list[str]:
    """Text typed into a text area, as paragraphs split at blank lines."""
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


@bp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    return render_template("public/accessibility.html")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return {"status": "ok"}
