"""The case page: status, diagram, history, data and attachments; attachment downloads."""
from flask import Blueprint

bp = Blueprint("cases", __name__)

from . import listing, periods, routes  # noqa: E402,F401
