"""Administration (role admin): users, areas, the calendar and process definitions."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import definitions, routes  # noqa: E402,F401
