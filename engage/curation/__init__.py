"""Officers' curation of a question's themes, the partnership's strategic priorities and the
Joint Officers' Group's priority-setting board."""

from flask import Blueprint

bp = Blueprint("curation", __name__, url_prefix="/curation")

from engage.curation import board_views, views  # noqa: E402,F401 - registers the routes on bp
