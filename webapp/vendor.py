"""Prebuilt browser bundles served straight from node_modules (no copy step, no CDN)."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("vendor", __name__)

# Only these packages, and only their prebuilt dist/ folders, are served.
ALLOWED = {"bpmn-js": "dist", "dmn-js": "dist"}


@bp.route("/vendor/<package>/<path:filename>")
def asset(package: str, filename: str):
    """A file under ``node_modules/<package>/dist/`` of an allowed package."""
    folder = ALLOWED.get(package)
    prefix = f"{folder}/"
    if folder is None or not filename.startswith(prefix):
        abort(404)
    root = Path(current_app.config["NODE_MODULES"]) / package / folder
    return send_from_directory(root, filename[len(prefix):], max_age=86400)
