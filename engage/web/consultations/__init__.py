"""Engagement officers design, open and close consultations and start their analysis.

The pages' blueprint; ``engage.web.blueprints`` imports the route modules and
registers it."""

from flask import Blueprint

bp = Blueprint("consultations", __name__, url_prefix="/manage")
