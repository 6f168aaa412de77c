"""The append-only audit log: who downloaded or exported what, and who approved and published
results. ``record`` is the one way in; the administrators' page ``/audit`` reads it.

The pages' blueprint; ``engage.web.blueprints`` imports the route modules and
registers it."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")
