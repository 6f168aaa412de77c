"""Reports built by the worker: a findings report per consultation, and the Board's
priority-setting report, each as an accessible web page, a tagged PDF and data files.

The pages' blueprint; ``engage.web.blueprints`` imports the route modules and
registers it."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
