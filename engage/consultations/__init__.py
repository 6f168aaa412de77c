"""Engagement officers design, open and close consultations and start their analysis."""

from flask import Blueprint

bp = Blueprint("consultations", __name__, url_prefix="/manage")

# Each module registers its routes on bp.
from engage.consultations import (  # noqa: E402,F401
    builder,
    lifecycle,
    links,
    responses,
    routing,
    views,
)
