"""The yearly Partnership Assessment Scorecard: nominations, response rates, year on year."""

from flask import Blueprint

bp = Blueprint("scorecard", __name__, url_prefix="/scorecard")
