"""The yearly Partnership Assessment Scorecard: nominations, response rates, year on year."""

from flask import Blueprint

bp = Blueprint("scorecard", __name__, url_prefix="/scorecard")

from engage.scorecard import views  # noqa: E402,F401 - registers the routes on bp
