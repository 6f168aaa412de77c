"""Forum events: Local Community Planning Forum meetings, seminars, workshops and JOG
development sessions, with sign-ups, access needs, waiting lists, nominations, registers,
feedback and reports.

Public pages are on ``bp`` under ``/events``; officers' pages on ``manage_bp`` under
``/manage/events``.

The pages' blueprints; ``engage.web.blueprints`` imports the route modules and
registers them."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")
manage_bp = Blueprint("events_manage", __name__, url_prefix="/manage/events")
