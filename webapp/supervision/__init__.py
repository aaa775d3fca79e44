"""督办 and notifications: the bell, the 督办 list with urging (催办), the overdue board, and
the administrators' timer page."""
from flask import Blueprint

bp = Blueprint("supervision", __name__)

from . import routes  # noqa: E402,F401
