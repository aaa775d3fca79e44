"""Reports (统计报表): the list of reports and each report's page with its chart, tables,
filters and Excel download, scoped to the user's area."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import routes  # noqa: E402,F401
