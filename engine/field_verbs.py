"""The verbs of field work after identification, mixed into ``Engine``: screening
campaigns (集中排查) and monthly home visits (每月入户走访). Changes are audited in the global
chain; a risk found opens a risk clue for the village (``clues``).
"""
from __future__ import annotations

from datetime import date, datetime

from . import audit, policy, screening, visits
from .calendar import TIMEZONE


def _today(now: datetime) -> date:
    return now.astimezone(TIMEZONE).date()


class FieldVerbs:
    """Mixed into ``Engine``."""

    # Screening campaigns ----------------------------------------------------------------

    def open_screening(self, actor, name: str, starts_on: date, ends_on: date,
                       scope: str = "all", now: datetime | None = None
                       ) -> screening.CampaignView:
        """Open a screening campaign of the actor's county (county staff): every household
        (``all``) or those under watch (``watched``) goes on its village's list."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            county = actor.area_code[:6]
            policy.require(policy.open_screening, actor, county)
            campaign_id = screening.open_campaign(tx.conn, actor, county, name, starts_on,
                                                  ends_on, scope, now)
            view = screening.view(tx.conn, actor, campaign_id)
            audit.append_global(tx.conn, "screening_opened", actor, now, {
                "campaign": campaign_id, "name": view.name, "scope": scope,
                "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
                "households": view.total.due})
            return view

    def screenings(self, actor) -> list[screening.CampaignView]:
        """The campaigns of the actor's county with their coverage in the actor's area."""
        with self.transaction(write=False) as tx:
            county = actor.area_code[:6]
            policy.require(policy.view_county_work, actor, county)
            return [screening.view(tx.conn, actor, c.id)
                    for c in screening.campaigns(tx.conn, county)]

    def screening(self, actor, campaign_id: int) -> screening.CampaignView:
        """A campaign's coverage by township and village (inside the actor's area)."""
        with self.transaction(write=False) as tx:
            return screening.view(tx.conn, actor, campaign_id)

    def screening_list(self, actor, campaign_id: int, village_code: str
                       ) -> list[screening.EntryView]:
        """A village's households to screen in a campaign, unscreened first."""
        with self.transaction(write=False) as tx:
            return screening.village_list(tx.conn, actor, campaign_id, village_code)

    def record_screening(self, actor, campaign_id: int, household_id: int, finding: str,
                         note: str = "", risk_types: list | None = None,
                         now: datetime | None = None) -> tuple[int, int | None]:
        """Record what screening a household found (village staff); a risk opens a risk
        clue. Returns the list entry's id and the clue's (None when no risk)."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            entry_id, clue_id = screening.record(tx, actor, campaign_id, household_id,
                                                 finding, note, risk_types or [],
                                                 _today(now), now)
            audit.append_global(tx.conn, "household_screened", actor, now, {
                "campaign": campaign_id, "household": household_id, "finding": finding,
                "clue": clue_id}, note.strip())
            return entry_id, clue_id

    # Monthly visits ---------------------------------------------------------------------

    def record_visit(self, actor, household_id: int, data: dict,
                     photos: list[tuple[str, bytes]] | None = None,
                     now: datetime | None = None) -> visits.VisitView:
        """Record a monthly visit to a household of the actor's village, with photos (JPEG,
        PNG or PDF)."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            visit_id = visits.record(tx.conn, actor, household_id, data or {}, photos,
                                     _today(now), now, self.settings.upload_max_bytes)
            view = visits.get(tx.conn, actor, visit_id)
            audit.append_global(tx.conn, "visit_recorded", actor, now, {
                "visit": visit_id, "household": household_id,
                "visited_on": view.visited_on.isoformat(), "warnings": view.warnings,
                "photos": len(view.photos)})
            return view

    def visit(self, actor, visit_id: int) -> visits.VisitView:
        """A recorded visit."""
        with self.transaction(write=False) as tx:
            return visits.get(tx.conn, actor, visit_id)

    def household_visits(self, actor, household_id: int) -> list[visits.VisitView]:
        """A household's visits, the latest first."""
        with self.transaction(write=False) as tx:
            self.household(household_id, actor)
            return visits.of_household(tx.conn, actor, household_id)

    def visit_photo(self, actor, photo_id: int) -> tuple[str, str, bytes]:
        """A visit photo: file name, content type, content."""
        with self.transaction(write=False) as tx:
            return visits.photo(tx.conn, actor, photo_id)

    def visit_plan(self, actor, area_code: str = "", month: str = "",
                   now: datetime | None = None) -> visits.VisitPlan:
        """A month's visit plan (default: this month, the actor's area): households under
        watch visited, still due, or missed."""
        today = _today(now or self.clock())
        with self.transaction(write=False) as tx:
            return visits.plan(tx.conn, actor, area_code or actor.area_code,
                               month or visits.month_of(today), today)

    def visit_clue(self, actor, visit_id: int, now: datetime | None = None) -> int:
        """Open a risk clue from a visit that found a warning sign; the clue's id."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            clue_id = visits.open_clue(tx, actor, visit_id, now)
            audit.append_global(tx.conn, "visit_clue_opened", actor, now, {
                "visit": visit_id, "clue": clue_id})
            return clue_id
