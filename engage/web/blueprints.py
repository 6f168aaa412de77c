"""Every page of the site, registered here and nowhere else.

Each route module adds its views to its area's blueprint (the area package's one name) as it is
imported, so a new page module is one line in ``PAGES``, and a new area one more in
``BLUEPRINTS``.
"""

from __future__ import annotations

from types import ModuleType

from flask import Blueprint, Flask

from engage.dates import longdate
from engage.findings.methods import method_words
from engage.web import (
    audit,
    auth,
    benchmark,
    codebooks,
    consultations,
    curation,
    events,
    findings,
    health,
    layout,
    panel,
    participate,
    population,
    privacy,
    public,
    reports,
    scorecard,
)
from engage.web.audit import views as audit_views
from engage.web.auth import views as auth_views
from engage.web.codebooks import views as codebook_views
from engage.web.consultations import builder, documents, lifecycle, links, responses, routing
from engage.web.consultations import uploads as consultation_uploads
from engage.web.consultations import views as consultation_views
from engage.web.curation import board as priority_board
from engage.web.curation import views as curation_views
from engage.web.events import manage as manage_events
from engage.web.events import views as event_views
from engage.web.findings import views as findings_views
from engage.web.panel import manage as manage_panel
from engage.web.panel import manage_exercises, manage_refresh
from engage.web.panel import views as panel_views
from engage.web.participate import views as participate_views
from engage.web.population import views as population_views
from engage.web.privacy import views as privacy_views
from engage.web.public import links as short_links
from engage.web.public import views as hub_views
from engage.web.reports import views as report_views
from engage.web.scorecard import views as scorecard_views
from surveys.numbers import percent

PAGES: tuple[ModuleType, ...] = (
    hub_views,
    short_links,
    participate_views,
    auth_views,
    consultation_views,
    builder,
    routing,
    links,
    lifecycle,
    documents,
    consultation_uploads,
    responses,
    codebook_views,
    findings_views,
    curation_views,
    priority_board,
    population_views,
    report_views,
    scorecard_views,
    audit_views,
    privacy_views,
    panel_views,
    manage_panel,
    manage_exercises,
    manage_refresh,
    event_views,
    manage_events,
)

BLUEPRINTS: tuple[Blueprint, ...] = (
    public.bp,
    participate.bp,
    participate.embed_bp,
    auth.bp,
    consultations.bp,
    codebooks.bp,
    findings.bp,
    curation.bp,
    population.bp,
    reports.bp,
    scorecard.bp,
    audit.bp,
    privacy.bp,
    panel.bp,
    panel.manage_bp,
    events.bp,
    events.manage_bp,
)


def init_app(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    health.init_app(app)
    benchmark.init_app(app)
    app.context_processor(layout.layout_context)
    app.add_template_filter(longdate)
    app.add_template_filter(percent)
    app.add_template_filter(method_words)
    app.add_template_global(layout.question_template)
    app.add_template_global(layout.now)
