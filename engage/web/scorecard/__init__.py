"""The yearly Partnership Assessment Scorecard: nominations, response rates, year on year.

The pages' blueprint; ``engage.web.blueprints`` imports the route modules and
registers it."""

from flask import Blueprint

bp = Blueprint("scorecard", __name__, url_prefix="/scorecard")
