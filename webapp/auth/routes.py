"""Login, logout, password change, API token and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from engine.errors import InvalidData, LoginRefused

from ..handlers import me, write
from ..inbox.forms import ActionForm
from ..transaction import engine
from . import CurrentUser, authenticate, bp, current_engine_user
from .forms import LanguageForm, LoginForm, PasswordForm


def safe_next(target: str | None, default: str = "inbox.index") -> str:
    """``target`` if it is a path on this site, else the default page."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target \
                and target.isprintable() and len(target) <= 500:
            return target
    return url_for(default)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; check the password and start a session."""
    if current_engine_user() is not None:
        return redirect(url_for("inbox.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        # The attempt is audited either way: commit the failed one too.
        try:
            actor = authenticate(form.username.data.strip(), form.password.data, "web")
        except LoginRefused as err:
            flash(_("Too many failed log-ins: this account is locked for now. Try again "
                    "later or ask an administrator to unlock it.") if err.reason == "locked"
                  else _("Too many attempts. Please wait a minute and try again."), "error")
            return render_template("auth/login.html", form=form), 429, {
                "Retry-After": str(err.retry_after)}
        if actor is None:
            flash(_("Wrong user name or password."), "error")
            return render_template("auth/login.html", form=form), 401
        session.clear()
        login_user(CurrentUser(actor), remember=form.remember.data)
        session["locale"] = actor.locale
        return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session (POST, so that a link elsewhere cannot log the user out)."""
    # Server-side: the session epoch rises, so a copy of this cookie no longer works.
    write(engine().end_sessions, me(), request.remote_addr or "")
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


def _password_page(form: PasswordForm, token: str = "", status: int = 200):
    return render_template("auth/password.html", form=form, token=token,
                           token_form=ActionForm()), status


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; the engine checks the old one and the new one's length."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            actor = write(engine().change_password, me(), form.old.data, form.new.data)
        except InvalidData as err:
            if "old" in err.errors:
                form.old.errors = [*form.old.errors, _("The current password is wrong.")]
            else:
                form.new.errors = [*form.new.errors, _("Choose a longer password.")]
            return _password_page(form, status=400)
        # The session id carries a password stamp: log in again under the new one.
        login_user(CurrentUser(actor))
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("inbox.index"))
    return _password_page(form, status=400 if form.errors else 200)


@bp.route("/password/token", methods=["POST"])
@login_required
def api_token():
    """Issue a new API token (replacing the old one) and show it once on the password page."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("auth.password"))
    token = write(engine().issue_token, me(), request.remote_addr or "")
    return _password_page(PasswordForm(formdata=None), token)


@bp.route("/language", methods=["POST"])
def language():
    """Switch the UI language; remembered on the user's account when logged in."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        user = current_engine_user()
        if user is not None:
            write(engine().set_locale, user, form.locale.data)
    return redirect(safe_next(form.next.data or request.referrer and
                              urlsplit(request.referrer).path))
