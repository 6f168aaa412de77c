"""Residents answering a consultation: no account needed."""

from flask import Blueprint

bp = Blueprint("participate", __name__, url_prefix="/consultations")

from engage.participate import views  # noqa: E402,F401 - registers the routes on bp
