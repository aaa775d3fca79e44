"""Users, areas and the working-day calendar: list, create, change."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from engine import audit, calendars, directory
from engine.calendar import library_knows_year
from engine.errors import Conflict, InvalidData, NotFound
from engine.models import User

from .. import clock
from ..auth import current_engine_user, role_required
from ..database import db
from ..inbox.forms import ActionForm
from . import bp
from .forms import AreaForm, CalendarDayForm, ResetPasswordForm, UserForm


def _area_choices() -> list[SelectChoice]:
    return [SelectChoice(a.code, f"{a.code} {a.name}") for a in directory.areas(db())]


@bp.route("/users")
@role_required("admin")
def users():
    """All accounts."""
    return render_template("admin/users.html", users=directory.users(db()),
                           action=ActionForm(), reset=ResetPasswordForm())


@bp.route("/users/new", methods=["GET", "POST"])
@role_required("admin")
def new_user():
    """Create an account."""
    form = UserForm()
    form.area_code.choices = _area_choices()
    if form.validate_on_submit():
        try:
            user = directory.add_user(db(), form.username.data, form.level.data,
                                      form.area_code.data, form.password.data,
                                      ",".join(form.roles.data or ["staff"]),
                                      form.display_name.data or "", clock.now())
            audit.record(db(), None, "user_created", current_engine_user(), clock.now(),
                         data={"username": user.username, "level": user.level,
                               "area_code": user.area_code, "roles": user.roles})
            db().commit()
        except (InvalidData, Conflict, NotFound) as err:
            db().rollback()
            flash(str(err), "error")
            return render_template("admin/user_new.html", form=form), 400
        flash(_("User %(name)s created.", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_new.html", form=form), 400 if form.errors else 200


def _user(user_id: int) -> User:
    user = db().get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return user


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@role_required("admin")
def toggle_active(user_id: int):
    """Deactivate an active account, or reactivate an inactive one."""
    form = ActionForm()
    user = _user(user_id)
    if form.validate_on_submit():
        me = current_engine_user()
        if user.id == me.id:
            flash(_("You cannot deactivate your own account."), "error")
            return redirect(url_for("admin.users"))
        user.active = not user.active
        audit.record(db(), None, "user_activated" if user.active else "user_deactivated",
                     me, clock.now(), data={"username": user.username})
        db().commit()
        flash(_("User %(name)s is now active.", name=user.username) if user.active else
              _("User %(name)s is deactivated.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@role_required("admin")
def reset_password(user_id: int):
    """Set a new password for an account (its sessions end)."""
    user = _user(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.password_hash = directory.hash_password(form.password.data)
        audit.record(db(), None, "password_reset", current_engine_user(), clock.now(),
                     data={"username": user.username})
        db().commit()
        flash(_("Password of %(name)s reset.", name=user.username), "success")
    else:
        flash(_("A password needs at least 8 characters."), "error")
    return redirect(url_for("admin.users"))


@bp.route("/areas", methods=["GET", "POST"])
@role_required("admin")
def areas():
    """The area tree, and a form to add an area under its parent code."""
    form = AreaForm()
    status = 200
    if form.validate_on_submit():
        try:
            area = directory.add_area(db(), form.code.data, form.name.data)
            audit.record(db(), None, "area_created", current_engine_user(), clock.now(),
                         data={"code": area.code, "name": area.name})
            db().commit()
            flash(_("Area %(name)s added.", name=area.name), "success")
            return redirect(url_for("admin.areas"))
        except (InvalidData, Conflict, NotFound) as err:
            db().rollback()
            form.code.errors = [*form.code.errors, str(err)]
            status = 400
    elif form.errors:
        status = 400
    return render_template("admin/areas.html", areas=directory.areas(db()), form=form), status


@bp.route("/calendar", methods=["GET", "POST"])
@role_required("admin")
def calendar():
    """Working-day overrides of one year, and whether the holiday library covers it."""
    form = CalendarDayForm()
    year = request.args.get("year", type=int) or clock.today().year
    status = 200
    if form.validate_on_submit():
        calendars.set_day(db(), form.day.data, form.kind.data == "workday",
                          form.note.data or "", current_engine_user(), clock.now())
        db().commit()
        flash(_("Calendar updated for %(day)s.", day=form.day.data.isoformat()), "success")
        return redirect(url_for("admin.calendar", year=form.day.data.year))
    if form.errors:
        status = 400
    return render_template("admin/calendar.html", year=year, form=form, action=ActionForm(),
                           days=calendars.overrides(db(), year),
                           covered=library_knows_year(year)), status


@bp.route("/calendar/<day>/delete", methods=["POST"])
@role_required("admin")
def calendar_remove(day: str):
    """Drop one override."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if ActionForm().validate_on_submit():
        try:
            calendars.remove_day(db(), when, current_engine_user(), clock.now())
            db().commit()
        except NotFound:
            db().rollback()
            abort(404)
    return redirect(url_for("admin.calendar", year=when.year))
