"""What every page's layout needs: the navigation, the partnership's name and contact, and the
template each question type is drawn with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, g, request, url_for
from flask_login import current_user

from engage.accounts.models import Role
from engage.dates import UK
from surveys.models import Question
from surveys.questions import get_type

NOMINATIONS = "events.nominat"  # the JOG members' list of events and each nomination form


def question_template(question: Question) -> str:
    return get_type(question.type).template


def nav_items() -> list[dict[str, Any]]:
    endpoint = request.endpoint or ""
    items: list[tuple[str, str, tuple[str, ...]]] = [
        ("Consultations", "public.index", ("public.", "participate."))
    ]
    items.append(("Residents' Panel", "panel.index", ("panel.",)))
    items.append(("Events", "events.index", ("events.",)))
    # The database is away (errors/503.html): loading the signed-in user would fail again.
    if not g.get("database_unavailable") and current_user.is_authenticated:
        if current_user.has_role(Role.JOG):
            items.append(("Event nominations", "events.nominations", (NOMINATIONS,)))
        if current_user.has_role(Role.OFFICER):
            items.append(
                ("Manage consultations", "consultations.index", ("consultations.", "codebooks."))
            )
        if current_user.has_role(Role.OFFICER, Role.JOG):
            items.append(("Findings", "findings.index", ("findings.", "curation.question")))
            items.append(("Priority board", "curation.board", ("curation.board", "curation.prio")))
        if current_user.has_role(Role.ADMIN):
            items.append(("Audit log", "audit.index", ("audit.",)))
            items.append(("People's data", "privacy.find_person", ("privacy.find", "privacy.e")))
        if current_user.has_role(Role.OFFICER):
            items.append(("Manage panel", "panel_manage.index", ("panel_manage.",)))
            items.append(("Manage events", "events_manage.index", ("events_manage.",)))
    if endpoint.startswith(NOMINATIONS):
        items[2] = ("Events", "events.index", ())  # the nominations item is the current one
    return [
        {"text": text, "href": url_for(target), "active": endpoint.startswith(prefixes)}
        for text, target, prefixes in items
    ]


def layout_context() -> dict[str, Any]:
    return {
        "nav_items": nav_items(),
        "partnership_name": current_app.config["PARTNERSHIP_NAME"],
        "partnership_contact_email": current_app.config["CONTACT_EMAIL"],
    }


def now() -> datetime:
    """Templates' ``now()``: the time in the UK."""
    return datetime.now(UK)
