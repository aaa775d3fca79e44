"""Login, logout, password change and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from engine import audit, directory
from engine.errors import InvalidData

from .. import clock
from ..database import db
from ..extensions import limiter
from . import CurrentUser, bp, current_engine_user, login_rate_limit
from ..inbox.forms import ActionForm
from .forms import LanguageForm, LoginForm, PasswordForm


def safe_next(target: str | None, default: str = "inbox.index") -> str:
    """``target`` if it is a path on this site, else the default page."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for(default)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    """Show the login form; check the password and start a session."""
    if current_engine_user() is not None:
        return redirect(url_for("inbox.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        session_ = db()
        ip = request.remote_addr or ""
        user = directory.authenticate(session_, form.username.data.strip(), form.password.data)
        if user is None:
            audit.record(session_, None, "login_failed", None, clock.now(),
                         data={"username": form.username.data.strip()[:64], "ip": ip})
            session_.commit()
            flash(_("Wrong user name or password."), "error")
            return render_template("auth/login.html", form=form), 401
        audit.record(session_, None, "login", user, clock.now(), data={"ip": ip})
        session_.commit()
        session.clear()
        login_user(CurrentUser(user), remember=form.remember.data)
        session["locale"] = user.locale
        return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session (POST, so that a link elsewhere cannot log the user out)."""
    user = current_engine_user()
    audit.record(db(), None, "logout", user, clock.now(),
                 data={"ip": request.remote_addr or ""})
    db().commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_engine_user()
        try:
            directory.set_password(user, form.old.data, form.new.data)
        except InvalidData as err:
            db().rollback()
            field = form.old if "old" in err.errors else form.new
            field.errors = [*field.errors, _("The current password is wrong.")
                            if field is form.old else _("Choose a longer password.")]
            return render_template("auth/password.html", form=form,
                                   token_form=ActionForm()), 400
        audit.record(db(), None, "password_changed", user, clock.now())
        db().commit()
        # The session id carries a password stamp: log in again under the new one.
        login_user(CurrentUser(user))
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("inbox.index"))
    return render_template("auth/password.html", form=form, token_form=ActionForm()), \
        400 if form.errors else 200


@bp.route("/password/token", methods=["POST"])
@login_required
def api_token():
    """Issue a new API token (replacing the old one) and show it once on the password page."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("auth.password"))
    user = current_engine_user()
    token = directory.issue_token(user)
    audit.record(db(), None, "api_token_issued", user, clock.now(),
                 data={"ip": request.remote_addr or ""})
    db().commit()
    return render_template("auth/password.html", form=PasswordForm(formdata=None),
                           token=token, token_form=ActionForm())


@bp.route("/language", methods=["POST"])
def language():
    """Switch the UI language; remembered on the user's account when logged in."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        user = current_engine_user()
        if user is not None:
            user.locale = form.locale.data
            db().commit()
    return redirect(safe_next(form.next.data or request.referrer and
                              urlsplit(request.referrer).path))
