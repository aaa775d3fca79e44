"""The API of risk elimination after identification: the conditions, the county's rollback,
the monitoring history, entry into the national system and its export. An elimination is
proposed with ``POST /cases`` and key ``risk_elimination``."""
from __future__ import annotations

from dataclasses import asdict

from flask import Response, jsonify, request

from .. import handlers
from ..transaction import engine
from . import bp
from .projects import plain
from .routes import _body, _check


def _text(body: dict, name: str, required: bool = False) -> str:
    value = body.get(name, "")
    _check({} if isinstance(value, str) and (value.strip() or not required)
           else {name: "required: a non-empty string" if required else "must be a string"})
    return value


@bp.route("/households/<int:household_id>/elimination-conditions")
def elimination_conditions(household_id: int):
    """Whether each condition of risk elimination holds for the household today."""
    found = engine().elimination_conditions(household_id, handlers.me())
    return jsonify(household_id=household_id, met=all(c.ok for c in found),
                   conditions=[c.as_dict() | {"label": c.label(), "label_en": c.label("en")}
                               for c in found])


@bp.route("/households/<int:household_id>/elimination-rollback", methods=["POST"])
def elimination_rollback(household_id: int):
    """回退: county staff restore monitoring of an eliminated household (``{reason}``)."""
    reason = _text(_body(), "reason", required=True)
    done = handlers.write(engine().roll_back_elimination, household_id, handlers.me(), reason)
    return jsonify(rollback=plain(done))


@bp.route("/households/<int:household_id>/monitoring-history")
def monitoring_history(household_id: int):
    """The household's monitoring status changes, oldest first."""
    found = engine().monitoring_history(household_id, handlers.me())
    return jsonify(history=[plain(asdict(h)) for h in found])


@bp.route("/cases/<int:case_id>/national-entry", methods=["POST"])
def national_entry(case_id: int):
    """Record that the case was entered into the national system (``{note}``, optional)."""
    note = _text(_body(), "note")
    entry = handlers.write(engine().record_national_entry, case_id, handlers.me(), note)
    return jsonify(entry=plain(asdict(entry))), 201


@bp.route("/national/cases")
def national_cases():
    """Household cases of the user's area that ended approved, with their national entry
    (``start``, ``end``: YYYY-MM-DD)."""
    found = engine().national_cases(handlers.me(), request.args.get("start") or None,
                                    request.args.get("end") or None)
    return jsonify(cases=[plain(asdict(c) | {"entry": asdict(e) if e else None})
                          for c, e in found])


@bp.route("/national/export", methods=["POST"])
def national_export():
    """The national system's workbook of the user's area (``{start, end}``, optional)."""
    body = _body()
    start, end = _text(body, "start"), _text(body, "end")
    content, _households, _members = handlers.write(
        engine().export_national, handlers.me(), start or None, end or None)
    return Response(content, mimetype="application/vnd.openxmlformats-officedocument."
                                      "spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="national.xlsx"'})
