"""The verbs of the project library and its funds, mixed into ``Engine``.

Reading: the library (filters, pages, the Excel export), a project with its funds, the
campaigns, the county's funds overview. Changing (county staff, each audited in the global
chain): campaign dates, fund releases, allocations and payments. A change to a project's
funds locks the project row first (and the release row for an allocation), so two clerks
paying at once never pay more than the rules allow.
"""
from __future__ import annotations

from datetime import date, datetime

from . import audit, funds, policy, projects
from .calendar import TIMEZONE
from .errors import NotFound
from .project_export import workbook

EXPORT_LIMIT = 10_000


def _county(actor) -> str:
    return actor.area_code[:6]


class ProjectVerbs:
    """Mixed into ``Engine``."""

    def library(self, actor, filters: dict | None = None, page: int = 1,
                size: int = 50) -> projects.LibraryPage:
        """One page of the library as the actor may see it, filtered by year, type, status,
        area (a village or township inside the actor's), emergency mode or text."""
        with self.transaction(write=False) as tx:
            policy.require(policy.view_project, actor, actor.area_code)
            return projects.library(tx.conn, actor, filters or {}, max(page, 1),
                                    min(max(size, 1), 200))

    def project(self, project_id: int, actor) -> projects.ProjectView:
        """A project the actor may read."""
        with self.transaction(write=False) as tx:
            return projects.get(tx.conn, actor, project_id)

    def project_funds(self, project_id: int, actor) -> funds.ProjectFunds:
        """A project's allocations and payments."""
        with self.transaction(write=False) as tx:
            view = projects.get(tx.conn, actor, project_id)
            return funds.project_funds(tx.conn, view)

    def project_workbook(self, actor, filters: dict | None = None,
                         now: datetime | None = None) -> bytes:
        """The library as the county reports it, as an .xlsx workbook (openpyxl)."""
        with self.transaction(write=False) as tx:
            policy.require(policy.view_project, actor, actor.area_code)
            clean = projects.check_filters(actor, filters or {})
            rows = tx.conn.execute(projects.library_query(actor, clean).limit(EXPORT_LIMIT))
            found = projects.views(tx.conn, rows)
            return workbook(found, (now or self.clock()).astimezone(TIMEZONE))

    # Campaigns -------------------------------------------------------------------------

    def campaigns(self) -> list[projects.CampaignView]:
        """Every library campaign, the latest first."""
        with self.transaction(write=False) as tx:
            return projects.campaigns(tx.conn)

    def set_campaign(self, actor, name: str, first_year: int, last_year: int,
                     guide_due: date, intake_due: date, entry_due: date,
                     now: datetime | None = None) -> projects.CampaignView:
        """Create or change a campaign's years and dates (county staff)."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            policy.require(policy.manage_funds, actor, _county(actor))
            view = projects.set_campaign(tx.conn, actor, name, first_year, last_year,
                                         guide_due, intake_due, entry_due, now)
            audit.append_global(tx.conn, "campaign_set", actor, now, {
                "name": view.name, "years": [view.first_year, view.last_year],
                "guide_due": view.guide_due.isoformat(),
                "intake_due": view.intake_due.isoformat(),
                "entry_due": view.entry_due.isoformat()})
            return view

    # Funds -----------------------------------------------------------------------------

    def release_funds(self, actor, document: str, source: str, amount, released_on: date,
                      now: datetime | None = None) -> funds.ReleaseView:
        """Record connection funds released to the actor's county (county staff)."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            county = _county(actor)
            policy.require(policy.manage_funds, actor, county)
            release_id = funds.add_release(tx.conn, actor, county, document, source, amount,
                                           released_on, now)
            row = funds.release_row(tx.conn, release_id)
            audit.append_global(tx.conn, "funds_released", actor, now, {
                "release": release_id, "document": row.document, "source": row.source,
                "amount_fen": row.amount, "released_on": row.released_on.isoformat()})
            return self._release_view(tx.conn, county, row, now)

    def _release_view(self, conn, county, row, now) -> funds.ReleaseView:
        overview = funds.overview(conn, county, row.year, now.astimezone(TIMEZONE).date())
        return next(r for r in overview.releases if r.id == row.id)

    def allocate(self, actor, project_id: int, release_id: int, amount,
                 allocated_on: date | None = None, now: datetime | None = None
                 ) -> funds.AllocationView:
        """Assign part of a release to an admitted project (county staff)."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            conn = tx.conn
            project = self._funded_project(conn, actor, project_id)
            release = funds.release_row(conn, release_id, lock=True)
            policy.require(policy.manage_funds, actor, release.area_code)
            day = allocated_on or now.astimezone(TIMEZONE).date()
            new_id = funds.allocate(conn, actor, project, release, amount, day, now)
            view = next(a for a in funds.project_funds(conn, project).allocations
                        if a.id == new_id)
            audit.append_global(conn, "funds_allocated", actor, now, {
                "allocation": new_id, "project": project.id, "release": release.id,
                "amount_fen": int(view.amount * 100), "allocated_on": day.isoformat()})
            return view

    def pay(self, actor, project_id: int, kind: str, amount, progress: int | None = None,
            paid_on: date | None = None, note: str = "", now: datetime | None = None
            ) -> funds.PaymentView:
        """Record a payment to an admitted project if the payment rule allows it."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            conn = tx.conn
            project = self._funded_project(conn, actor, project_id)
            day = paid_on or now.astimezone(TIMEZONE).date()
            new_id = funds.pay(conn, actor, project, kind, amount, progress, day, note, now)
            view = next(p for p in funds.project_funds(conn, project).payments
                        if p.id == new_id)
            audit.append_global(conn, "payment_recorded", actor, now, {
                "payment": new_id, "project": project.id, "kind": kind,
                "amount_fen": int(view.amount * 100), "progress": progress,
                "paid_on": day.isoformat()})
            return view

    def _funded_project(self, conn, actor, project_id):
        """The project's row, locked: every change to its funds is serialised on it."""
        project = projects.row(conn, project_id, lock=True)
        if project is None:
            raise NotFound(f"project {project_id} does not exist")
        policy.require(policy.manage_funds, actor, project.area_code)
        return project

    def funds_overview(self, actor, year: int | None = None,
                       now: datetime | None = None) -> funds.FundsOverview:
        """The county's releases of a year, idle funds and the industry share (55%)."""
        today = (now or self.clock()).astimezone(TIMEZONE).date()
        with self.transaction(write=False) as tx:
            policy.require(policy.view_project, actor, actor.area_code)
            return funds.overview(tx.conn, _county(actor), year or today.year, today)
