"""What residents said, for the Joint Officers' Group and officers.

The pages' blueprint; ``engage.web.blueprints`` imports the route modules and
registers it."""

from flask import Blueprint

bp = Blueprint("findings", __name__, url_prefix="/findings")
