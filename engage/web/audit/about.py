"""What an audit event is about, in words: the consultation's title, the report's or event's name,
with a link to its page when the reader may open it. An object since deleted keeps its kind and
id ("Consultation 12 (deleted)"), which is all the log itself holds.

Objects are looked up a page at a time, one query per kind, never one per row. A panel member is
named by number only: the log is read long after someone leaves, and their page has the rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from engage.accounts.models import Role, User
from engage.audit.models import AuditEvent
from engage.codebooks.models import Codebook
from engage.events.models import Event
from engage.panel.models import PanelExercise, PanelMember
from engage.reports.models import Report
from engage.web.findings import access
from surveys.models import Consultation, Question


@dataclass(frozen=True)
class About:
    kind: str  # "Consultation: ", "Report: " ... or "" when the name says it all
    name: str  # the title (the link's text), or the kind and id when the object is gone
    href: str | None = None

    @property
    def text(self) -> str:
        return self.kind + self.name


def _owner(consultation: Consultation | None) -> bool:
    """Officers of the partners who run it, and administrators (``managed_consultation``)."""
    if consultation is None or not current_user.has_role(Role.OFFICER):
        return False
    return (
        current_user.role == Role.ADMIN or current_user.organisation_id in consultation.owner_ids()
    )


def _readable(consultation: Consultation | None) -> bool:
    """Whose findings, reports and curation pages the reader may open (``findings.access``)."""
    return (
        consultation is not None
        and consultation.status not in access.HIDDEN
        and access.may_read(consultation)
    )


def _consultation(item: Consultation) -> About:
    href = url_for("consultations.detail", consultation_id=item.id) if _owner(item) else None
    return About("Consultation: ", item.title, href)


def _question(item: Question) -> About:
    consultation = item.consultation
    href = None
    if _readable(consultation) or _owner(consultation):
        href = url_for("curation.question", question_id=item.id)
    return About("Question: ", f"{item.title} ({consultation.title})", href)


def _report(item: Report) -> About:
    if item.consultation_id is None:  # the Board's priority-setting report: every reader's
        readable = current_user.has_role(Role.OFFICER) or current_user.has_role(Role.JOG)
    else:
        session = object_session(item)
        readable = session is not None and _readable(
            session.get(Consultation, item.consultation_id)
        )
    href = url_for("reports.report", report_id=item.id) if readable else None
    return About("Report: ", item.title or f"Report {item.id}", href)


def _event(item: Event) -> About:
    href = url_for("events_manage.event", event_id=item.id) if _officer() else None
    return About("Event: ", item.title, href)


def _exercise(item: PanelExercise) -> About:
    href = url_for("panel_manage.exercise", exercise_id=item.id) if _officer() else None
    return About("Panel exercise: ", item.title, href)


def _member(item: PanelMember) -> About:
    href = url_for("panel_manage.member", member_id=item.id) if _officer() else None
    return About("", f"Panel member {item.id}", href)


def _codebook(item: Codebook) -> About:
    mine = current_user.role == Role.ADMIN or (
        current_user.has_role(Role.OFFICER) and current_user.organisation_id == item.organisation_id
    )
    href = url_for("codebooks.show", codebook_id=item.id) if mine else None
    return About("Codebook: ", item.name, href)


def _user(item: User) -> About:
    return About("Account: ", item.name or item.email)


def _officer() -> bool:
    return bool(current_user.has_role(Role.OFFICER))


# target_type → (model, how it reads). A new kind of target gets a line here; one missing is
# shown by its kind and id, as before.
KINDS: dict[str, tuple[Any, Callable[[Any], About]]] = {
    "consultation": (Consultation, _consultation),
    "question": (Question, _question),
    "report": (Report, _report),
    "event": (Event, _event),
    "panel_exercise": (PanelExercise, _exercise),
    "panel_member": (PanelMember, _member),
    "codebook": (Codebook, _codebook),
    "user": (User, _user),
}


def _plain(target_type: str, target_id: str) -> str:
    return f"{target_type.replace('_', ' ').capitalize()} {target_id}".strip()


def describe(session: Session, events: Iterable[AuditEvent]) -> dict[int, About | None]:
    """For each event's id: what it is about (None when about nothing in particular)."""
    events = list(events)
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.target_type in KINDS and (event.target_id or "").isdigit():
            wanted[event.target_type].add(int(event.target_id or 0))
    found: dict[tuple[str, int], Any] = {}
    for kind, ids in wanted.items():
        model = KINDS[kind][0]
        for item in session.scalars(select(model).where(model.id.in_(ids))):
            found[(kind, item.id)] = item
    described: dict[int, About | None] = {}
    for event in events:
        if not event.target_type:
            described[event.id] = None
            continue
        kind = event.target_type
        target_id = event.target_id or ""
        item = found.get((kind, int(target_id))) if target_id.isdigit() else None
        if item is not None:
            described[event.id] = KINDS[kind][1](item)
        elif kind in KINDS and target_id:
            described[event.id] = About("", f"{_plain(kind, target_id)} (deleted)")
        else:
            described[event.id] = About("", _plain(kind, target_id))
    return described
