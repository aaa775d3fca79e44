"""Monthly visits and screening campaigns: ``dixian visits …``, ``dixian screening …``."""
from __future__ import annotations

from pathlib import Path

import click

from engine import GUARANTEES, INCOME_CHANGES, SPENDING_CHANGES

from .context import day, transactional
from .output import Report, table

as_user = click.option("--as", "as_user", required=True, help="the user who acts")
COVERAGE = [("area", "area_code"), ("name", "name"), ("households", "due"),
            ("screened", "screened"), ("risks", "risks"), ("%", "percent")]


@click.group()
def visits():
    """Monthly home visits (每月入户走访) to households under watch."""


@visits.command()
@as_user
@click.option("--area", default="", help="a village or township code (default: the user's)")
@click.option("--month", default="", help="YYYY-MM (default: this month)")
@transactional(write=False)
def plan(obj, as_user, area, month):
    """The month's plan: each household under watch visited, due or missed."""
    view = obj.engine.visit_plan(obj.actor(as_user), area, month, obj.now)
    lines = [f"visits {view.month} in {view.area_code}: {view.visited} visited, {view.due} "
             f"due, {view.missed} missed" + (" (month over)" if view.closed else ""),
             table(view.villages, [(title, lambda v, i=i: v[i]) for i, title in enumerate(
                 ("village", "name", "visited", "due", "missed"))], "no household under watch"),
             table(view.rows, [("household", "household_id"), ("head", "head_name"),
                               ("ID", "masked_id"), ("village", "village_code"),
                               ("status", "status"), ("visited on", "visited_on"),
                               ("visit", "visit_id"),
                               ("warning", lambda r: "WARNING" if r.warnings else "")],
                   "no household under watch")]
    return Report(view, "\n".join(lines))


@visits.command()
@click.argument("household_id", metavar="HOUSEHOLD", type=int)
@as_user
@click.option("--on", "visited_on", required=True, help="visit date YYYY-MM-DD")
@click.option("--visitors", required=True, help="who visited (names)")
@click.option("--income", "income_change", type=click.Choice(INCOME_CHANGES),
              default="stable", show_default=True)
@click.option("--income-per-head", type=float, default=None, help="yuan a year, if known")
@click.option("--spending", "spending_change", type=click.Choice(SPENDING_CHANGES),
              default="stable", show_default=True)
@click.option("--broken", multiple=True, type=click.Choice(GUARANTEES),
              help="a guarantee that does not hold (repeat for several)")
@click.option("--aid", "aid_received", default="", help="aid received since the last visit")
@click.option("--notes", default="")
@click.option("--photo", "photos", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="a JPEG, PNG or PDF file (repeat for several)")
@transactional(write=True)
def record(obj, household_id, as_user, broken, photos, **fields):
    """Record a visit to HOUSEHOLD."""
    data = {**fields, **{g: g not in broken for g in GUARANTEES}}
    view = obj.engine.record_visit(obj.actor(as_user), household_id, data,
                                   [(p.name, p.read_bytes()) for p in photos], obj.now)
    signs = ", ".join(view.warnings)
    return Report(view, f"visit {view.id} to {view.head_name} on {view.visited_on} recorded"
                  f" ({len(view.photos)} photos)" + (
                      f"; WARNING: {signs}: open a risk clue with "
                      f"`dixian visits clue {view.id} --as {as_user}`" if signs else ""))


@visits.command()
@click.argument("visit_id", metavar="VISIT", type=int)
@as_user
@transactional(write=True)
def clue(obj, visit_id, as_user):
    """Open a risk clue from a visit that found a warning sign."""
    clue_id = obj.engine.visit_clue(obj.actor(as_user), visit_id, obj.now)
    return Report({"clue": clue_id, "visit": visit_id},
                  f"risk clue {clue_id} opened from visit {visit_id}")


@click.group()
def screening():
    """Screening campaigns (集中排查)."""


@screening.command(name="open")
@click.argument("name")
@as_user
@click.option("--from", "starts_on", required=True, help="YYYY-MM-DD")
@click.option("--to", "ends_on", required=True, help="YYYY-MM-DD")
@click.option("--scope", type=click.Choice(["all", "watched"]), default="all",
              show_default=True, help="every household, or only those under watch")
@transactional(write=True)
def open_campaign(obj, name, as_user, starts_on, ends_on, scope):
    """Open campaign NAME for the user's county."""
    view = obj.engine.open_screening(obj.actor(as_user), name, day(starts_on), day(ends_on),
                                     scope, obj.now)
    return Report(view, f"screening campaign {view.id} {view.name}: {view.total.due} "
                  f"households on {len(view.villages)} village lists")


@screening.command()
@click.argument("campaign_id", metavar="CAMPAIGN", type=int)
@as_user
@transactional(write=False)
def coverage(obj, campaign_id, as_user):
    """A campaign's coverage by township and village."""
    view = obj.engine.screening(obj.actor(as_user), campaign_id)
    lines = [f"{view.name} ({view.starts_on} – {view.ends_on}): {view.total.screened}/"
             f"{view.total.due} screened ({view.total.percent}%), {view.total.risks} risks",
             table(view.townships, COVERAGE), table(view.villages, COVERAGE)]
    return Report(view, "\n".join(lines))


@screening.command(name="record")
@click.argument("campaign_id", metavar="CAMPAIGN", type=int)
@click.argument("household_id", metavar="HOUSEHOLD", type=int)
@as_user
@click.option("--risk", "note", default=None, help="the risk found (opens a risk clue)")
@click.option("--risk-type", "risk_types", multiple=True, help="a risk type code")
@transactional(write=True)
def record_screening(obj, campaign_id, household_id, as_user, note, risk_types):
    """Record HOUSEHOLD as screened: no risk, or the risk found (``--risk``)."""
    _, clue_id = obj.engine.record_screening(
        obj.actor(as_user), campaign_id, household_id, "risk" if note else "no_risk",
        note or "", list(risk_types), obj.now)
    return Report({"clue": clue_id}, f"household {household_id} screened: " + (
        f"risk clue {clue_id}" if clue_id else "no risk"))


COMMANDS = [visits, screening]
