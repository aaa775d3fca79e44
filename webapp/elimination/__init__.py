"""Risk elimination after identification: the conditions and history on the household's
page, the county's rollback (回退), entry into the national system and its export."""
from flask import Blueprint

bp = Blueprint("elimination", __name__)

from . import routes  # noqa: E402,F401
