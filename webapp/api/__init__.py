"""The JSON API under /api/v1 (placeholder: its routes are added separately)."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
