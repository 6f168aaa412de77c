"""Residents answering a consultation: no account needed.

The same steps run on the hub and, with a minimal layout, inside partner websites (the embed).

The pages' blueprints; ``engage.web.blueprints`` imports the route modules and
registers them."""

from flask import Blueprint

bp = Blueprint("participate", __name__, url_prefix="/consultations")
embed_bp = Blueprint("embed", __name__, url_prefix="/embed")
