"""Screening campaigns (集中排查): the county opens one for a period (at least twice a year);
each village gets its list of households to screen; coverage is counted by village and
township; a risk found becomes a risk clue for the village to check.

A campaign's list is fixed when it opens (every registered household of the county, or only
the households under watch); the households are added in one ``INSERT … SELECT``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case as when, func, insert, literal, select, update

from . import clues, policy, watch
from .clue_models import ScreeningCampaign, ScreeningEntry
from .directory import area_names
from .errors import Conflict, InvalidData, NotFound
from .forms import mask_id_number
from .models import Household
from .warning_files import RISK_CODES

CAMPAIGNS, ENTRIES, HOUSEHOLDS = (ScreeningCampaign.__table__, ScreeningEntry.__table__,
                                  Household.__table__)
SCOPES = ("all", "watched")
FINDINGS = ("no_risk", "risk")


@dataclass(frozen=True)
class Coverage:
    """How far an area's screening is: households on the list, screened, risks found."""

    area_code: str
    name: str
    due: int
    screened: int
    risks: int

    @property
    def percent(self) -> int:
        """Screened as a share of the list."""
        return 100 if not self.due else self.screened * 100 // self.due


@dataclass(frozen=True)
class CampaignView:
    """A campaign with its coverage: the county's, by township and by village."""

    id: int
    name: str
    starts_on: date
    ends_on: date
    scope: str
    opened_at: datetime
    total: Coverage
    townships: list[Coverage]
    villages: list[Coverage]


@dataclass(frozen=True)
class EntryView:
    """A household on a village's list and what its screening found."""

    id: int
    household_id: int
    head_name: str
    masked_id: str
    household_type: str
    finding: str
    note: str
    screened_on: date | None
    clue_id: int | None


def campaign_row(conn, campaign_id: int):
    """A campaign's row, or NotFound."""
    found = conn.execute(select(CAMPAIGNS).where(CAMPAIGNS.c.id == campaign_id)).first()
    if found is None:
        raise NotFound(f"screening campaign {campaign_id} does not exist")
    return found


def open_campaign(conn, actor, county: str, name: str, starts_on: date, ends_on: date,
                  scope: str, now: datetime) -> int:
    """Open a campaign and put the county's households (all, or those under watch) on
    their villages' lists."""
    name = (name or "").strip()
    errors = {}
    if not name or len(name) > 100:
        errors["name"] = "required, at most 100 characters"
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        errors["ends_on"] = "both dates are required"
    elif ends_on < starts_on:
        errors["ends_on"] = "the campaign cannot end before it starts"
    if scope not in SCOPES:
        errors["scope"] = f"must be one of {', '.join(SCOPES)}"
    if errors:
        raise InvalidData("invalid screening campaign: " + "; ".join(
            f"{k}: {v}" for k, v in errors.items()), errors)
    if conn.execute(select(CAMPAIGNS.c.id).where(CAMPAIGNS.c.name == name)).first():
        raise Conflict(f"a screening campaign named {name} exists already")
    campaign_id = conn.execute(insert(CAMPAIGNS).values(
        county_code=county, name=name, starts_on=starts_on, ends_on=ends_on, scope=scope,
        opened_by=actor.id, opened_at=now).returning(CAMPAIGNS.c.id)).scalar_one()
    chosen = (watch.households_under_watch(county) if scope == "watched" else
              select(HOUSEHOLDS.c.id, HOUSEHOLDS.c.village_code).where(
                  policy.prefix_range(HOUSEHOLDS.c.village_code, county)))
    listed = chosen.subquery()
    conn.execute(insert(ENTRIES).from_select(
        ["campaign_id", "household_id", "village_code", "finding", "note"],
        select(literal(campaign_id), listed.c.id, listed.c.village_code, literal(""),
               literal(""))))
    return campaign_id


def coverage(conn, campaign) -> CampaignView:
    """The campaign's coverage for the county, each township and each village."""
    rows = conn.execute(select(
        ENTRIES.c.village_code, func.count(),
        func.sum(when((ENTRIES.c.finding != "", 1), else_=0)),
        func.sum(when((ENTRIES.c.finding == "risk", 1), else_=0))).where(
        ENTRIES.c.campaign_id == campaign.id).group_by(ENTRIES.c.village_code)).all()
    towns: dict[str, list[int]] = {}
    for code, due, screened, risks in rows:
        total = towns.setdefault(code[:9], [0, 0, 0])
        total[0], total[1], total[2] = total[0] + due, total[1] + (screened or 0), \
            total[2] + (risks or 0)
    names = area_names(conn, [r[0] for r in rows] + list(towns) + [campaign.county_code])
    villages = [Coverage(code, names.get(code, code), due, screened or 0, risks or 0)
                for code, due, screened, risks in sorted(rows)]
    townships = [Coverage(code, names.get(code, code), *sums)
                 for code, sums in sorted(towns.items())]
    total = Coverage(campaign.county_code, names.get(campaign.county_code, ""),
                     sum(t.due for t in townships), sum(t.screened for t in townships),
                     sum(t.risks for t in townships))
    return CampaignView(campaign.id, campaign.name, campaign.starts_on, campaign.ends_on,
                        campaign.scope, campaign.opened_at, total, townships, villages)


def view(conn, actor, campaign_id: int) -> CampaignView:
    """A campaign as the actor sees it: the areas inside the actor's area only."""
    campaign = campaign_row(conn, campaign_id)
    policy.require(policy.view_county_work, actor, campaign.county_code)
    full = coverage(conn, campaign)
    if len(actor.area_code) <= 6:
        return full
    inside = [c for c in full.villages if c.area_code.startswith(actor.area_code)]
    return CampaignView(full.id, full.name, full.starts_on, full.ends_on, full.scope,
                        full.opened_at, Coverage(actor.area_code, "", sum(c.due for c in inside),
                                                 sum(c.screened for c in inside),
                                                 sum(c.risks for c in inside)),
                        [t for t in full.townships if actor.area_code.startswith(t.area_code)
                         or t.area_code.startswith(actor.area_code)], inside)


def campaigns(conn, county: str) -> list:
    """The county's campaigns, the latest first."""
    return conn.execute(select(CAMPAIGNS).where(CAMPAIGNS.c.county_code == county)
                        .order_by(CAMPAIGNS.c.starts_on.desc(), CAMPAIGNS.c.id.desc())).all()


def village_list(conn, actor, campaign_id: int, village_code: str) -> list[EntryView]:
    """A village's households on the campaign's list, unscreened first."""
    campaign_row(conn, campaign_id)
    policy.require(policy.view_clue, actor, village_code)
    rows = conn.execute(select(ENTRIES, HOUSEHOLDS.c.head_name, HOUSEHOLDS.c.id_number,
                               HOUSEHOLDS.c.household_type).join(
        HOUSEHOLDS, HOUSEHOLDS.c.id == ENTRIES.c.household_id).where(
        ENTRIES.c.campaign_id == campaign_id, ENTRIES.c.village_code == village_code)
        .order_by(ENTRIES.c.finding != "", HOUSEHOLDS.c.head_name, ENTRIES.c.id))
    return [EntryView(r.id, r.household_id, r.head_name, mask_id_number(r.id_number),
                      r.household_type, r.finding, r.note, r.screened_on, r.clue_id)
            for r in rows]


def record(tx, actor, campaign_id: int, household_id: int, finding: str, note: str,
           risk_types: list, today: date, now: datetime) -> tuple[int, int | None]:
    """Record a household's screening; a risk found opens a risk clue (or joins the open
    one). Returns the entry's id and the clue's."""
    conn = tx.conn
    campaign = campaign_row(conn, campaign_id)
    entry = conn.execute(select(ENTRIES).where(
        ENTRIES.c.campaign_id == campaign_id, ENTRIES.c.household_id == household_id)
        .with_for_update()).first()
    if entry is None:
        raise NotFound(f"household {household_id} is not on the list of campaign "
                       f"{campaign.name}")
    policy.require(policy.village_work, actor, entry.village_code)
    if entry.finding:
        raise Conflict(f"household {household_id} was already screened in this campaign "
                       f"({entry.screened_on})")
    if not campaign.starts_on <= today <= campaign.ends_on:
        raise Conflict(f"campaign {campaign.name} runs from {campaign.starts_on} to "
                       f"{campaign.ends_on}")
    note = (note or "").strip()
    errors = {}
    if finding not in FINDINGS:
        errors["finding"] = f"must be one of {', '.join(FINDINGS)}"
    if finding == "risk" and not note:
        errors["note"] = "describe the risk found"
    if len(note) > 500:
        errors["note"] = "at most 500 characters"
    risk_types = list(risk_types or [])
    if any(r not in RISK_CODES for r in risk_types) or len(risk_types) > 5:
        errors["risk_types"] = "at most 5 risk type codes"
    if errors:
        raise InvalidData("invalid screening: " + "; ".join(
            f"{k}: {v}" for k, v in errors.items()), errors)
    clue_id = None
    if finding == "risk":
        household = conn.execute(select(HOUSEHOLDS).where(
            HOUSEHOLDS.c.id == household_id)).one()
        values = {"id_number": household.id_number, "name": household.head_name,
                  "village": household.village_code, "reason": note,
                  "risk_types": risk_types, "found_on": today}
        clue_id = clues.add(tx, actor, values, now, source="screening",
                            campaign_id=campaign_id) or clues.open_clue_of(
                                conn, household.id_number)
    conn.execute(update(ENTRIES).where(ENTRIES.c.id == entry.id).values(
        finding=finding, note=note, screened_on=today, screened_by=actor.id,
        clue_id=clue_id))
    return entry.id, clue_id
