"""What residents said, for the Joint Officers' Group and officers."""

from flask import Blueprint

bp = Blueprint("findings", __name__, url_prefix="/findings")

from engage.findings import views  # noqa: E402,F401 - registers the routes on bp
