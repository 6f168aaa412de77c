"""People's data protection rights (subject access and erasure) and retention schedules, for
administrators.

The pages' blueprint; ``engage.web.blueprints`` imports the route modules and registers it."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
