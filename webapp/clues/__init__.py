"""Risk discovery after identification: department warning imports (county), the risk
clues each village checks, screening campaigns and monthly home visits."""
from flask import Blueprint

bp = Blueprint("clues", __name__)

from . import routes, warnings  # noqa: E402,F401
