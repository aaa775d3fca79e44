"""The inbox: my level's work items in my area, by view, overdue first."""
from flask import Blueprint

bp = Blueprint("inbox", __name__)

from . import routes  # noqa: E402,F401
