"""Users, areas, the working-day calendar and the global audit chain. The engine checks and
audits every change; these pages only gather the input."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SelectChoice

from engine import local_today
from engine.errors import Conflict, InvalidData, NotFound

from ..auth import rule_required
from ..handlers import me, write
from ..inbox.forms import ActionForm
from ..transaction import engine
from . import bp
from .forms import LEVELS, ROLES, AreaForm, CalendarDayForm, ResetPasswordForm, UserForm


def _field_errors(form, err: InvalidData, default) -> None:
    """Put the engine's message beside each field it names (else beside ``default``)."""
    for field in [form[name] for name in err.errors if name in form] or [default]:
        field.errors = [*field.errors, str(err)]


@bp.route("/users")
@rule_required("administer")
def users():
    """All accounts."""
    return render_template("admin/users.html", users=engine().users(),
                           areas={a.code: a.name for a in engine().areas()},
                           locked=engine().locked_users(), action=ActionForm(),
                           reset=ResetPasswordForm(),
                           levels={c.value: c.label for c in LEVELS},
                           roles={c.value: c.label for c in ROLES})


@bp.route("/users/new", methods=["GET", "POST"])
@rule_required("administer")
def new_user():
    """Create an account."""
    form = UserForm()
    form.area_code.choices = [SelectChoice(a.code, f"{a.code} {a.name}")
                              for a in engine().areas()]
    if form.validate_on_submit():
        try:
            user = write(engine().add_user, (form.username.data or "").strip(),
                         form.level.data, form.area_code.data, form.password.data or "",
                         ",".join(form.roles.data or ["staff"]), form.display_name.data or "",
                         actor=me())
        except InvalidData as err:
            _field_errors(form, err, form.username)
            return render_template("admin/user_new.html", form=form), 400
        except (Conflict, NotFound) as err:
            flash(str(err), "error")
            return render_template("admin/user_new.html", form=form), 400
        flash(_("User %(name)s created.", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_new.html", form=form), 400 if form.errors else 200


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@rule_required("administer")
def toggle_active(user_id: int):
    """Deactivate an active account, or reactivate an inactive one."""
    if ActionForm().validate_on_submit():
        if user_id == me().id:
            flash(_("You cannot deactivate your own account."), "error")
            return redirect(url_for("admin.users"))
        user = write(engine().set_active, user_id, not engine().user(user_id).active,
                     actor=me())
        flash(_("User %(name)s is now active.", name=user.username) if user.active else
              _("User %(name)s is deactivated.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@rule_required("administer")
def unlock(user_id: int):
    """Lift the log-in lock that failed log-ins put on an account."""
    if ActionForm().validate_on_submit():
        user = write(engine().unlock_user, user_id, me())
        flash(_("User %(name)s is unlocked.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@rule_required("administer")
def reset_password(user_id: int):
    """Set a new password for an account (its sessions end)."""
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = write(engine().reset_password, user_id, form.password.data or "", me())
        except InvalidData:
            flash(_("A password needs at least 8 characters."), "error")
        else:
            flash(_("Password of %(name)s reset.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.route("/areas", methods=["GET", "POST"])
@rule_required("administer")
def areas():
    """The area tree, and a form to add an area under its parent code."""
    form = AreaForm()
    status = 200
    if form.validate_on_submit():
        try:
            area = write(engine().add_area, (form.code.data or "").strip(),
                         form.name.data or "", actor=me())
            flash(_("Area %(name)s added.", name=area.name), "success")
            return redirect(url_for("admin.areas"))
        except InvalidData as err:
            _field_errors(form, err, form.code)
            status = 400
        except (Conflict, NotFound) as err:
            form.code.errors = [*form.code.errors, str(err)]
            status = 400
    elif form.errors:
        status = 400
    return render_template("admin/areas.html", areas=engine().areas(), form=form), status


@bp.route("/calendar", methods=["GET", "POST"])
@rule_required("administer")
def calendar():
    """Working-day overrides of one year, and whether the holiday library covers it."""
    form = CalendarDayForm()
    year = request.args.get("year", type=int) or local_today(engine().clock()).year
    if form.validate_on_submit():
        write(engine().set_calendar_day, form.day.data, form.kind.data == "workday",
              form.note.data or "", actor=me())
        flash(_("Calendar updated for %(day)s.", day=form.day.data.isoformat()), "success")
        return redirect(url_for("admin.calendar", year=form.day.data.year))
    return _calendar_page(year, form, 400 if form.errors else 200)


def _calendar_page(year: int, form, status: int, schedule: dict | None = None,
                   errors: dict | None = None):
    return render_template("admin/calendar.html", year=year, form=form, action=ActionForm(),
                           days=engine().calendar_overrides(year),
                           covered=engine().calendar_knows(year),
                           schedule=schedule or {}, schedule_errors=errors or {}), status


@bp.route("/calendar/schedule", methods=["POST"])
@rule_required("administer")
def calendar_schedule():
    """Enter a year's published schedule (holidays and 调休 working days) in one go."""
    if not ActionForm().validate_on_submit():
        abort(400)
    year = request.form.get("year", type=int)
    if year is None:
        abort(400)
    typed = {k: request.form.get(k, "")[:4000] for k in ("holidays", "workdays", "note")}
    try:
        count = write(engine().set_calendar_schedule, year, typed["holidays"],
                      typed["workdays"], typed["note"], actor=me())
    except InvalidData as err:
        flash(_("Please correct the marked fields."), "error")
        return _calendar_page(year, CalendarDayForm(formdata=None), 400, typed, err.errors)
    flash(_("%(num)d days of %(year)s entered.", num=count, year=year), "success")
    return redirect(url_for("admin.calendar", year=year))


@bp.route("/calendar/<day>/delete", methods=["POST"])
@rule_required("administer")
def calendar_remove(day: str):
    """Drop one override (404 if there is none)."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if ActionForm().validate_on_submit():
        write(engine().remove_calendar_day, when, actor=me())
    return redirect(url_for("admin.calendar", year=when.year))


@bp.route("/audit")
@login_required
def audit():
    """The global audit chain (log-ins, deployments, administration) checked link by link;
    administrators and auditors only, as the engine decides."""
    return render_template("admin/audit.html", verification=engine().verify(None, me()))
