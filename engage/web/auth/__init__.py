"""Signing in and out (``views``), and the role checks every staff page uses (``guard``).

The pages' blueprint; ``engage.web.blueprints`` imports the route modules and registers it."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
