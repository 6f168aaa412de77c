"""The partnership's population figures, against which consultations and the panel are read."""

from flask import Blueprint

bp = Blueprint("population", __name__, url_prefix="/population")

from engage.population import views  # noqa: E402,F401 - registers the routes on bp
