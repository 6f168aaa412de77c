"""The partnership's population figures, against which consultations and the panel are read.

The pages' blueprint; ``engage.web.blueprints`` imports the route modules and
registers it."""

from flask import Blueprint

bp = Blueprint("population", __name__, url_prefix="/population")
