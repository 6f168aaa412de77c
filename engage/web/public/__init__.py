"""The consultation hub: what anyone can read without signing in.

The pages' blueprint; ``engage.web.blueprints`` imports the route modules and registers it."""

from flask import Blueprint

bp = Blueprint("public", __name__)
