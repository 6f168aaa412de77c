"""Engagement officers design, open and close consultations and start their analysis."""

from flask import Blueprint

bp = Blueprint("consultations", __name__, url_prefix="/manage")

from engage.consultations import views  # noqa: E402,F401 - registers the routes on bp
