"""Codebooks: themes officers already have (strategic priorities, an earlier consultation's
themes) that an analysis run maps answers onto instead of finding themes freely.

The pages' blueprint; ``engage.web.blueprints`` imports the route modules and
registers it."""

from flask import Blueprint

bp = Blueprint("codebooks", __name__, url_prefix="/codebooks")
