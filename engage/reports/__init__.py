"""Reports built by the worker: a findings report per consultation, and the Board's
priority-setting report, each as an accessible web page, a tagged PDF and data files."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from engage.reports import views  # noqa: E402,F401 - registers the routes on bp
