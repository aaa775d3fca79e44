"""The case list (/cases): search, filters, sort and paging over the engine's case list."""
from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_login import login_required

from engine import CaseFilter, Level

from .. import handlers, schema_forms
from ..helpers import page_arg
from ..i18n import locale_name
from ..transaction import engine
from . import bp

LIST_KEYS = ("monitoring_identification",)


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _steps() -> list[tuple[str, str]]:
    """(step, title) of the deployed identification process, in its order; the title in
    the UI language (the English title of the step's form in English)."""
    deployed = {row.key for row in engine().definitions()}
    locale, found = locale_name(), []
    for key in LIST_KEYS:
        if key in deployed:
            parsed = engine().definition(key)[1]
            found += [(name, schema_forms.title(parsed.forms.get(info.form), locale, info.title)
                       if locale == "en" and info.form else info.title)
                      for name, info in parsed.steps.items()
                      if not info.properties.get("period")]
    return found


@bp.route("/cases")
@login_required
def index():
    """Cases of my area: search by name, ID-number digits or case number, and filter."""
    me = handlers.me()
    args = request.args
    villages = [(a.code, a.name) for a in engine().areas(me.area_code)
                if a.level == Level.VILLAGE.value]
    village = args.get("village", "")
    if village and village not in dict(villages):
        abort(404)
    chosen = CaseFilter(
        text=args.get("q", "").strip()[:50], village=village, step=args.get("step", "")[:100],
        status=args.get("status", "") if args.get("status") in (
            "running", "completed", "rejected", "cancelled") else "",
        overdue=args.get("overdue") == "1", green=args.get("green") == "1",
        returned=args.get("returned") == "1", late=args.get("late") == "1",
        found_from=_day("from"), found_to=_day("to"),
        sort=args.get("sort") if args.get("sort") in ("newest", "oldest", "deadline",
                                                      "discovery") else "newest")
    page = engine().case_list(me, chosen, page_arg())
    names = dict(villages)
    labels = {p.name: p for p, _key in engine().procedures_for("household")}
    procedures = {key: p for p, key in engine().procedures_for("household")}
    locale = locale_name()

    def outcome(case) -> str:
        """A decided case's outcome in words (纳入监测对象, 不予通过 …)."""
        found = procedures.get(case.process_key)
        return found.outcome_label(case.outcome, locale) if found else case.outcome

    return render_template("cases/index.html", page=page, chosen=chosen, villages=villages,
                           steps=_steps(), names=names, locale=locale,
                           labels=labels, outcome=outcome, args=args)
