"""Field work after identification: monthly home visits (每月入户走访) and screening
campaigns (集中排查)."""
from flask import Blueprint

bp = Blueprint("fieldwork", __name__)

from . import screening, visits  # noqa: E402,F401
