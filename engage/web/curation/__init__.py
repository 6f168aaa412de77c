"""Officers' curation of a question's themes, the partnership's strategic priorities and the
Joint Officers' Group's priority-setting board.

The pages' blueprint; ``engage.web.blueprints`` imports the route modules and
registers it."""

from flask import Blueprint

bp = Blueprint("curation", __name__, url_prefix="/curation")
