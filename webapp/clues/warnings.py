"""Department warnings (部门筛查预警) for county staff: upload a file, see its checked
preview (row, column, what is wrong; duplicates), import its good rows with progress."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField

from engine import DEPARTMENTS
from engine.errors import InvalidData

from .. import handlers
from ..transaction import engine
from . import bp

CHUNK = 500
GOOD_SHOWN = 50  # good rows listed before "show all"; problems are always listed
DEPARTMENT_LABELS = {"civil_affairs": _l("Civil affairs (民政)"),
                     "medical_insurance": _l("Medical insurance (医保)"),
                     "education": _l("Education (教育)"), "housing": _l("Housing (住建)"),
                     "water": _l("Water resources (水利)"), "health": _l("Health (卫健)"),
                     "other": _l("Other department")}


class WarningFileForm(FlaskForm):
    """A department's file to check."""

    department = SelectField(_l("Department"), choices=[SelectChoice("", "—")] + [
        SelectChoice(code, DEPARTMENT_LABELS[code]) for code in DEPARTMENTS])
    file = FileField(_l("File (CSV or XLSX)"), validators=[FileRequired()])


def _county() -> str:
    me = handlers.me()
    if not engine().allowed("import_warnings", me, me.area_code[:6]):
        abort(403)
    return me.area_code[:6]


def render_upload(form: WarningFileForm | None = None, status: int = 200):
    """The upload form and the county's latest imports."""
    return render_template("clues/warnings.html", form=form or WarningFileForm(formdata=None),
                           imports=engine().warning_imports(handlers.me()),
                           departments=DEPARTMENT_LABELS), status


@bp.route("/warnings", methods=["GET", "POST"])
@login_required
def warnings():
    """Upload a department's warning file (county staff); its preview follows."""
    _county()
    form = WarningFileForm()
    if not form.is_submitted():
        return render_upload()
    if not form.validate():
        return render_upload(form, 400)
    if not form.department.data:
        form.department.errors = [_("Choose the department the file comes from.")]
        return render_upload(form, 400)
    upload = form.file.data
    try:
        view = handlers.write(engine().preview_warnings, handlers.me(),
                              upload.filename or "", upload.read(), form.department.data)
    except InvalidData as err:
        form.file.errors = [_("The file cannot be read: %(reason)s", reason=str(err))]
        return render_upload(form, 400)
    return redirect(url_for("clues.warning_import", import_id=view.id))


@bp.route("/warnings/<int:import_id>")
@login_required
def warning_import(import_id: int):
    """An import's preview: every row with its problems, or what it duplicates; after the
    import, what became of each row."""
    _county()
    all_rows = request.args.get("rows") == "all"
    view = engine().warning_import(handlers.me(), import_id,
                                   good_limit=None if all_rows else GOOD_SHOWN)
    return render_template("clues/warning_import.html", batch=view, all_rows=all_rows,
                           departments=DEPARTMENT_LABELS)


@bp.route("/warnings/<int:import_id>/import", methods=["POST"])
@login_required
def run_import(import_id: int):
    """Import the good rows, a chunk per committed transaction, so that the progress shows
    on the preview page (and a second click continues where the first stopped)."""
    _county()
    me = handlers.me()
    while True:
        view = handlers.write(engine().import_warning_chunk, me, import_id, CHUNK)
        if view.status == "done":
            break
    flash(_("%(imported)d rows imported as risk clues, %(skipped)d skipped as duplicates, "
            "%(refused)d refused.", imported=view.imported, skipped=view.duplicates,
            refused=view.refused), "success")
    return redirect(url_for("clues.warning_import", import_id=import_id))


@bp.route("/warnings/<int:import_id>/progress")
@login_required
def import_progress(import_id: int):
    """How far an import is (for the progress bar)."""
    _county()
    view = engine().warning_import(handlers.me(), import_id, rows=False)
    return jsonify(status=view.status, processed=view.processed, total=view.total_rows,
                   percent=view.percent, imported=view.imported,
                   duplicates=view.duplicates, refused=view.refused)
