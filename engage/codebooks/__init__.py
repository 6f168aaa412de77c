"""Codebooks: themes officers already have (strategic priorities, an earlier consultation's
themes) that an analysis run maps answers onto instead of finding themes freely."""

from flask import Blueprint

bp = Blueprint("codebooks", __name__, url_prefix="/codebooks")

from engage.codebooks import views  # noqa: E402,F401 - registers the routes on bp
