"""The auditor's pages: cases across one's area, trail verification (by number or QR code),
printouts of a case (trail, approval sheet, publicity notice) and batch printing."""
from flask import Blueprint

bp = Blueprint("audit", __name__)

from . import routes  # noqa: E402,F401
