"""The county's funds overview (releases, idle funds, the industry share) and the library's
campaign dates."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import InvalidData

from .. import handlers
from ..transaction import engine
from . import bp
from .forms import SOURCE_LABELS, TYPE_LABELS, CampaignForm, ReleaseForm


def _year() -> int:
    raw = request.args.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else engine().clock().year


def render_funds(form: ReleaseForm | None = None, status: int = 200):
    """The funds page of a year, with the release form for county staff."""
    me, year = handlers.me(), _year()
    manage = engine().allowed("manage_funds", me, me.area_code[:6])
    return render_template(
        "projects/funds.html", overview=engine().funds_overview(me, year), year=year,
        sources=SOURCE_LABELS, types=TYPE_LABELS,
        form=(form or ReleaseForm(formdata=None)) if manage else None), status


@bp.route("/funds")
@login_required
def funds():
    """Releases of a year, funds idle over 30 days, and the industry share against 55%."""
    return render_funds()


@bp.route("/funds/releases", methods=["POST"])
@login_required
def release():
    """Record connection funds released to the county (county staff)."""
    form = ReleaseForm()
    if not form.validate_on_submit():
        return render_funds(form, 400)
    try:
        handlers.write(engine().release_funds, handlers.me(), form.document.data,
                       form.source.data, form.amount.data, form.released_on.data)
    except InvalidData as err:
        form.document.errors = [str(err)]
        return render_funds(form, 400)
    flash(_("Fund release recorded."), "success")
    return redirect(url_for("projects.funds", year=form.released_on.data.year))


def render_campaigns(form: CampaignForm | None = None, status: int = 200):
    """The campaigns, with the form for county staff."""
    me = handlers.me()
    manage = engine().allowed("manage_funds", me, me.area_code[:6])
    return render_template("projects/campaigns.html", campaigns=engine().campaigns(),
                           form=(form or CampaignForm(formdata=None)) if manage else None
                           ), status


@bp.route("/projects/campaigns", methods=["GET", "POST"])
@login_required
def campaigns():
    """The library's campaigns (guide, intake, system entry); county staff set them."""
    if request.method == "GET":
        return render_campaigns()
    form = CampaignForm()
    if not form.validate_on_submit():
        return render_campaigns(form, 400)
    try:
        handlers.write(engine().set_campaign, handlers.me(), form.name.data,
                       form.first_year.data, form.last_year.data, form.guide_due.data,
                       form.intake_due.data, form.entry_due.data)
    except InvalidData as err:
        form.name.errors = [str(err)]
        return render_campaigns(form, 400)
    flash(_("Campaign saved."), "success")
    return redirect(url_for("projects.campaigns"))
