"""The Residents' Panel: residents who agree to be consulted several times a year.

Public pages (joining, confirming, a member's own page, newsletters) are on ``bp`` under
``/panel``; officers' pages on ``manage_bp`` under ``/manage/panel``.

The pages' blueprints; ``engage.web.blueprints`` imports the route modules and
registers them."""

from flask import Blueprint

bp = Blueprint("panel", __name__, url_prefix="/panel")
manage_bp = Blueprint("panel_manage", __name__, url_prefix="/manage/panel")
