"""Residents answering a consultation: no account needed.

The same steps run on the hub and, with a minimal layout, inside partner websites (the embed).
"""

from flask import Blueprint

bp = Blueprint("participate", __name__, url_prefix="/consultations")
embed_bp = Blueprint("embed", __name__, url_prefix="/embed")

from engage.participate import views  # noqa: E402,F401 - registers the routes on both
