"""Prebuilt browser files served straight from node_modules (no copy step, no CDN)."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("vendor", __name__)

# Only these packages, and only these folders of theirs (their prebuilt bundles, styles and
# translation tables), are served.
ALLOWED = {"bpmn-js": "dist", "dmn-js": "dist", "bpmn-js-properties-panel": "dist",
           "@bpmn-io/properties-panel": "dist", "bpmn-js-i18n": "translations",
           "echarts": "dist"}


def _send(package: str, filename: str):
    folder = ALLOWED.get(package)
    prefix = f"{folder}/"
    if folder is None or not filename.startswith(prefix):
        abort(404)
    root = Path(current_app.config["NODE_MODULES"]) / package / folder
    return send_from_directory(root, filename[len(prefix):], max_age=86400)


@bp.route("/vendor/<package>/<path:filename>")
def asset(package: str, filename: str):
    """A file under ``node_modules/<package>/<folder>/`` of an allowed package."""
    return _send(package, filename)


@bp.route("/vendor/@<scope>/<package>/<path:filename>")
def scoped(scope: str, package: str, filename: str):
    """The same for a scoped package (``@scope/package``)."""
    return _send(f"@{scope}/{package}", filename)
