"""Blueprint registration and what every page's layout needs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user

from engage.accounts.models import Role
from surveys.models import Question
from surveys.questions import get_type

UK = ZoneInfo("Europe/London")
NOMINATIONS = "events.nominat"  # the JOG members' list of events and each nomination form


def register_blueprints(app: Flask) -> None:
    from engage import (
        audit,
        codebooks,
        consultations,
        curation,
        events,
        findings,
        panel,
        participate,
        population,
        public,
        reports,
        scorecard,
    )

    modules = (public, participate, consultations, codebooks, findings, population, reports)
    for module in (*modules, scorecard, curation, audit):
        app.register_blueprint(module.bp)
    app.register_blueprint(participate.embed_bp)
    app.register_blueprint(panel.bp)
    app.register_blueprint(panel.manage_bp)
    app.register_blueprint(events.bp)
    app.register_blueprint(events.manage_bp)
    from engage.privacy.views import bp as privacy_bp

    app.register_blueprint(privacy_bp)
    app.context_processor(layout_context)
    app.add_template_filter(longdate)
    app.add_template_global(question_template)
    app.add_template_global(lambda: datetime.now(UK), "now")


def longdate(value: datetime) -> str:
    """27 March 2027, in UK time, the way GOV.UK writes dates."""
    local = value.astimezone(UK)
    return f"{local.day} {local:%B %Y}"


def question_template(question: Question) -> str:
    return get_type(question.type).template


def nav_items() -> list[dict[str, Any]]:
    endpoint = request.endpoint or ""
    items = [("Consultations", "public.index", ("public.", "participate."))]
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
