"""The reports pages: the list, one report (chart, tables, filters) and its workbook."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import VISIT_REPORT_FIELDS, ReportView
from engine.errors import Conflict, InvalidData

from .. import handlers
from ..i18n import locale_name
from ..transaction import engine
from . import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTERS = ("area", "from", "to", "process")


def text(value) -> str:
    """A report label in the page's language (plain values as they are)."""
    if isinstance(value, dict):
        return value.get(locale_name()) or value.get("zh_CN", "")
    return "" if value is None else str(value)


def filters_from(args) -> dict:
    """The report filters of a query string (the engine checks them)."""
    return {"area": args.get("area", "").strip()[:12] or None,
            "date_from": args.get("from", "").strip()[:10] or None,
            "date_to": args.get("to", "").strip()[:10] or None,
            "process": args.get("process", "").strip()[:100] or None}


def field_errors(errors: dict) -> dict[str, str]:
    """The engine's filter errors as messages next to the fields, in the page's language."""
    messages = {"invalid": _("Not a date (YYYY-MM-DD)"),
                "after date_to": _("The range starts after it ends"),
                "too early": _("A report covers at most three years"),
                "unknown": _("Not known here")}
    return {field: str(messages.get(code, code)) for field, code in errors.items()}


def chart_data(report: ReportView) -> dict | None:
    """The chart as reports.js draws it, in the page's language."""
    chart = report.chart
    if chart is None or not chart.categories:
        return None
    return {"kind": chart.kind, "categories": [text(c) for c in chart.categories],
            "series": [{"name": text(s.name), "values": [float(v or 0) for v in s.values]}
                       for s in chart.series],
            "target": chart.target, "unit": chart.unit,
            "targetLabel": _("Target") if chart.target is not None else ""}


def _areas(me) -> list[tuple[str, str]]:
    return [(a.code, a.name) for a in engine().areas(me.area_code)]


def _require_reports(me) -> None:
    if not engine().allowed("view_reports", me, me.area_code):
        abort(403)


@bp.route("/reports")
@login_required
def index():
    """The reports there are."""
    me = handlers.me()
    _require_reports(me)
    return render_template("reports/index.html", reports=engine().report_list(), text=text)


@bp.route("/reports/<name>")
@login_required
def show(name: str):
    """One report: filters, headline figures, chart, tables and the workbook link."""
    me = handlers.me()
    _require_reports(me)
    filters, errors, status = filters_from(request.args), {}, 200
    try:
        report = engine().report(name, me, **filters)
    except InvalidData as err:
        errors, status = field_errors(err.errors or {}), 400
        flash(_("Please correct the marked filters; the report shows its usual period."),
              "error")
        report = engine().report(name, me)
    args = {k: v for k, v in request.args.items() if k in FILTERS and v}
    return render_template(
        "reports/report.html", report=report, text=text, chart=chart_data(report),
        areas=_areas(me), processes=engine().report_processes(), errors=errors,
        args=request.args, reports=engine().report_list(),
        single_day=any(r.name == name and r.default_days == 1
                       for r in engine().report_list()),
        by_process=any(r.name == name and r.by_process for r in engine().report_list()),
        xlsx_url=url_for("reports.xlsx", name=name, **args),
        entry_url=url_for("reports.entry", name=name, area=report.filters.area,
                          **{"from": report.filters.date_from.isoformat(),
                             "to": report.filters.date_to.isoformat()})
        if name == "visits" else None,
        may_enter=engine().allowed("enter_report", me, report.filters.area)), status


@bp.route("/reports/<name>.xlsx")
@login_required
def xlsx(name: str):
    """A report as an Excel workbook."""
    me = handlers.me()
    _require_reports(me)
    try:
        content = engine().report_workbook(name, me, **filters_from(request.args))
    except InvalidData:
        return show(name)
    title = text(next((r.title for r in engine().report_list() if r.name == name), name))
    response = Response(content, mimetype=XLSX)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{name}.xlsx\"; filename*=UTF-8''{quote(title + '.xlsx')}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _entry_args(source) -> dict:
    return {"area": source.get("area", "").strip()[:12] or None,
            "date_from": source.get("from", "").strip()[:10] or None,
            "date_to": source.get("to", "").strip()[:10] or None}


def _field_groups():
    """The hand-entered fields by section, with their words in the page's language."""
    titles = {"honours": _("Honoured persons and families visited"),
              "leaders": _("Leaders and departments who visited"),
              "measures": _("Measures: money, goods, meetings"),
              "practices": _("Practices and cases (one item a line, at most 100 characters)")}
    groups: dict[str, list] = {}
    for field in VISIT_REPORT_FIELDS:
        groups.setdefault(field.section, []).append(field)
    return [(key, titles[key], fields) for key, fields in groups.items()]


def _leader_rows():
    """The leaders' fields a row per level: (level words, name or number field or None,
    households field, persons field)."""
    by_key = {f.key: f for f in VISIT_REPORT_FIELDS}
    rows = []
    for field in VISIT_REPORT_FIELDS:
        if field.key.endswith("_households"):
            level = field.key.removesuffix("_households")
            rows.append((text(field.title).split("走访慰问")[0].split(":")[0],
                         by_key.get(f"{level}_who"), field, by_key[f"{level}_persons"]))
    return rows


@bp.route("/reports/<name>/entry", methods=["GET", "POST"])
@login_required
def entry(name: str):
    """The figures of a report only people know (走访慰问情况统计表: leaders' visits, money
    and goods, meetings, practices and cases), entered for an area and period."""
    me = handlers.me()
    _require_reports(me)
    source = request.form if request.method == "POST" else request.args
    where = _entry_args(source)
    try:
        current = engine().report_entry(name, me, **where)
    except InvalidData as err:
        flash(str(err), "error")
        return redirect(url_for("reports.show", name=name))
    may_enter = engine().allowed("enter_report", me, current.area_code)
    values, errors, status = dict(current.data), {}, 200
    if request.method == "POST":
        if not may_enter:
            abort(403)
        values = {f.key: request.form.get(f.key, "") for f in VISIT_REPORT_FIELDS}
        try:
            version = int(request.form.get("version", ""))
        except ValueError:
            abort(400)
        try:
            saved = handlers.write(engine().save_report_entry, name, me, values, version,
                                   **where)
        except InvalidData as err:
            errors, status = {k: v for k, v in (err.errors or {}).items()}, 400
            flash(_("Please correct the marked fields; nothing was saved."), "error")
        except Conflict:
            current = engine().report_entry(name, me, **where)
            values, status = dict(current.data), 409
            flash(_("Someone else saved these figures while you were editing (now version "
                    "%(version)d by %(who)s). Their figures are shown: enter your changes "
                    "again.", version=current.version, who=current.updated_by), "error")
        else:
            flash(_("Figures saved (version %(version)d).", version=saved.version),
                  "success")
            return redirect(url_for("reports.show", name=name, area=saved.area_code,
                                    **{"from": saved.date_from.isoformat(),
                                       "to": saved.date_to.isoformat()}))
    return render_template(
        "reports/entry.html", name=name, entry=current, values=values, errors=errors,
        groups=_field_groups(), leader_rows=_leader_rows(), may_enter=may_enter, text=text,
        report=next(r for r in engine().report_list() if r.name == name)), status
