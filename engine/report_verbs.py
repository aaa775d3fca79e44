"""The report verbs, mixed into ``Engine``: the list of reports, a report for the actor's
area (or one inside it), and a report as an Excel workbook."""
from __future__ import annotations

from datetime import date, datetime

from . import policy
from .calendar import TIMEZONE
from .errors import NotFound
from .reports import REPORTS, ReportInfo, ReportView
from .reports import entries
from .reports.base import check_filters, process_names
from .reports.visit_sheet import visit_workbook
from .reports.workbook import workbook

LAYOUTS = {"visits": visit_workbook}  # reports exported in a layout of their own


class ReportVerbs:
    """Mixed into ``Engine``."""

    def report_list(self) -> list[ReportInfo]:
        """The reports there are, in the order the reports page lists them."""
        return [info for info, _build in REPORTS.values()]

    def report(self, name: str, actor, area: str | None = None,
               date_from: date | str | None = None, date_to: date | str | None = None,
               process: str | None = None, now: datetime | None = None) -> ReportView:
        """A report of the actor's area, or of an area inside it, for a date range (China
        dates, both days included; by default the report's usual period up to today) and
        optionally one process."""
        if name not in REPORTS:
            raise NotFound(f"there is no report {name!r}: one of {', '.join(REPORTS)}")
        info, build = REPORTS[name]
        now = now or self.clock()
        with self.transaction(write=False) as tx:
            policy.require(policy.view_reports, actor, (area or "").strip() or actor.area_code)
            filters = check_filters(tx.conn, actor, area, date_from, date_to, process,
                                    now.astimezone(TIMEZONE).date(), info.default_days)
            return build(tx.conn, actor, filters, now)

    def report_workbook(self, name: str, actor, area: str | None = None,
                        date_from: date | str | None = None, date_to: date | str | None = None,
                        process: str | None = None, now: datetime | None = None) -> bytes:
        """A report as an .xlsx workbook (openpyxl), with Chinese headers."""
        with self.transaction(write=False) as tx:
            view = self.report(name, actor, area, date_from, date_to, process, now)
            if name in LAYOUTS:
                return LAYOUTS[name](view)
            names = process_names(tx.conn)
            return workbook(view, names.get(view.filters.process, view.filters.process))

    def report_entry(self, name: str, actor, area: str | None = None,
                     date_from: date | str | None = None, date_to: date | str | None = None,
                     now: datetime | None = None) -> entries.ReportEntryView:
        """The hand-entered figures of a report (``visits``) for an area and period, with
        their version (0: nothing entered yet)."""
        now = now or self.clock()
        with self.transaction(write=False) as tx:
            filters = self._entry_filters(tx, name, actor, area, date_from, date_to, now)
            return entries.read(tx.conn, name, filters)

    def save_report_entry(self, name: str, actor, data: dict, version: int,
                          area: str | None = None, date_from: date | str | None = None,
                          date_to: date | str | None = None,
                          now: datetime | None = None) -> entries.ReportEntryView:
        """Save the hand-entered figures over ``version`` (the one the user edited; 0 for
        the first save): staff of exactly that area; a save over an older version is
        refused with ``Conflict``; audited."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            filters = self._entry_filters(tx, name, actor, area, date_from, date_to, now)
            entries.save(tx.conn, actor, name, filters, data, version, now)
            return entries.read(tx.conn, name, filters)

    def _entry_filters(self, tx, name, actor, area, date_from, date_to, now):
        if name not in entries.CHECKS:
            raise NotFound(f"report {name!r} has no hand-entered figures")
        policy.require(policy.view_reports, actor, (area or "").strip() or actor.area_code)
        return check_filters(tx.conn, actor, area, date_from, date_to, None,
                             now.astimezone(TIMEZONE).date(), REPORTS[name][0].default_days)

    def report_processes(self) -> dict[str, str]:
        """The deployed processes a report can be narrowed to: key -> name."""
        with self.transaction(write=False) as tx:
            return process_names(tx.conn)
