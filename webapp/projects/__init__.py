"""The project library: the library with filters and its Excel export, proposing a project,
a project's page with its funds, the county's funds overview and the campaign dates."""
from flask import Blueprint

bp = Blueprint("projects", __name__)

from . import funds, routes  # noqa: E402,F401
