"""The append-only audit log: who downloaded or exported what, and who approved and published
results. ``record`` is the one way in; the administrators' page ``/audit`` reads it."""

from flask import Blueprint

from engage.audit.services import AuditLogError, record

bp = Blueprint("audit", __name__, url_prefix="/audit")

__all__ = ["AuditLogError", "bp", "record"]

from engage.audit import views  # noqa: E402,F401 - registers the routes on bp
