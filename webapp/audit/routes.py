"""Audit pages and printouts. Printing writes an audit event, so every print is a POST."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import InvalidData, NotFound

from .. import display, handlers
from ..transaction import engine
from . import bp
from .forms import BatchForm, PrintForm

KINDS = ("trail", "sheet", "publicity")
STATUSES = ("running", "completed", "rejected", "cancelled")


def pdf(content: bytes, filename: str) -> Response:
    """A PDF download that no cache keeps."""
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _renderer():
    import printouts

    return printouts


def _base_url() -> str:
    return engine().settings.base_url or request.host_url


def _choices(form: BatchForm) -> None:
    me = handlers.me()
    areas = [a for a in engine().areas(me.area_code) if len(a.code) <= 9]
    form.area.choices = [(a.code, f"{a.name}（{a.code}）") for a in areas]
    form.process_key.choices = [("", _("All processes"))] + [
        (d.key, d.name or d.key) for d in engine().definitions()]
    form.status.choices = [("", _("All statuses"))] + [
        (s, display.STATUS_LABELS.get(s, s)) for s in STATUSES]


@bp.route("/audit")
@login_required
def cases():
    """The cases of the user's area with filters, each with its print buttons."""
    args = request.args
    page = args.get("page", 1, type=int) or 1
    try:
        found, more = engine().cases_in_area(
            handlers.me(), args.get("area", ""), args.get("from") or None,
            args.get("to") or None, args.get("process", ""), args.get("status", ""),
            args.get("text", ""), page)
    except InvalidData as err:
        flash(str(err), "error")
        found, more = [], False
    names = {a.code: a.name for a in engine().areas(handlers.me().area_code)}
    return render_template("audit/cases.html", cases=found, more=more, page=page, args=args,
                           names=names,
                           statuses=STATUSES, print_form=PrintForm(),
                           definitions=engine().definitions())


@bp.route("/audit/verify")
@login_required
def verify():
    """Verify one case's trail (the QR code on a printed trail leads here)."""
    number = request.args.get("case", "").strip().lstrip("#")
    result, error = None, ""
    if number:
        if not number.isdigit():
            error = _("Enter a case number (digits only).")
        else:
            try:
                result = engine().verify(int(number), handlers.me())
            except NotFound:
                error = _("There is no case #%(id)s.", id=number)
    return render_template("audit/verify.html", number=number, result=result, error=error)


@bp.route("/cases/<int:case_id>/print/<kind>", methods=["POST"])
@login_required
def print_case(case_id: int, kind: str):
    """A printout of one case as a PDF; the print is recorded in the global chain."""
    if kind not in KINDS or not PrintForm().validate_on_submit():
        abort(400 if kind in KINDS else 404)
    printouts, me = _renderer(), handlers.me()
    if kind == "publicity":
        content = printouts.render_notice(handlers.write(engine().publicity_notice, case_id, me))
    else:
        printout = handlers.write(engine().printout, case_id, me, kind)
        content = (printouts.render_trail(printout, _base_url()) if kind == "trail"
                   else printouts.render_sheet([printout]))
    return pdf(content, f"{kind}-{case_id}.pdf")


@bp.route("/audit/batches", methods=["GET", "POST"])
@login_required
def batches():
    """Request a batch of trails; follow the worker's progress; download when done."""
    form = BatchForm()
    _choices(form)
    if request.method == "GET":
        form.area.data = form.area.data or handlers.me().area_code
    elif form.validate_on_submit():
        try:
            job = handlers.write(engine().request_batch, handlers.me(), form.area.data,
                                 form.date_from.data, form.date_to.data, form.process_key.data,
                                 form.status.data)
        except InvalidData as err:
            name, problem = next(iter(err.errors.items()), ("from", ""))
            field = {"from": form.date_from, "to": form.date_to}.get(name, form.date_from)
            words = {"no cases": _("No case of this area was started in that range."),
                     "before from": _("The range ends before it starts."),
                     "too far": _("A batch covers at most a year."),
                     "too many cases": _("Too many cases: choose a shorter range or a smaller "
                                         "area.")}
            field.errors = [*field.errors, words.get(problem, str(err))]
        else:
            flash(_("Batch #%(id)s queued: %(n)d cases. The worker prints it in the "
                    "background.", id=job.id, n=job.total), "success")
            return redirect(url_for("audit.batches"))
    jobs = engine().print_jobs(handlers.me())
    busy = any(job.status in ("queued", "running") for job in jobs)
    labels = {"queued": _("queued"), "running": _("printing"), "done": _("done"),
              "failed": _("failed")}
    return render_template("audit/batches.html", form=form, jobs=jobs, busy=busy,
                           job_labels=labels)


@bp.route("/audit/batches/<int:job_id>.pdf")
@login_required
def batch_pdf(job_id: int):
    """Download a finished batch."""
    job, content = engine().print_job_content(job_id, handlers.me())
    return pdf(content, job.filename or f"batch-{job_id}.pdf")
