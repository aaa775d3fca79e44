"""The verbs of risk clues and department warnings, mixed into ``Engine``.

County staff preview a department's file and import its good rows as clues; the village
checks each clue and either declares it (an identification case whose channel is the
clue's) or closes it with a reason. Imports, closures and declarations are audited.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from . import audit, clues, households, policy, warning_import
from .calendar import TIMEZONE
from .errors import DixianError, NotFound
from .warning_files import DEPARTMENTS

CHUNK = 500
IDENTIFICATION = "identification"


class ClueVerbs:
    """Mixed into ``Engine``."""

    # Department warnings ----------------------------------------------------------------

    def preview_warnings(self, actor, filename: str, content: bytes, department: str,
                         now: datetime | None = None) -> warning_import.ImportView:
        """Check a department's CSV or XLSX file and keep it as an import to confirm: every
        row with its problems (row, column, what is wrong) or what it duplicates."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            county = actor.area_code[:6]
            policy.require(policy.import_warnings, actor, county)
            new_id = warning_import.preview(tx, actor, county, filename, content, department,
                                            now, now.astimezone(TIMEZONE).date())
            return warning_import.view(tx.conn, new_id, with_rows=True)

    def import_warning_chunk(self, actor, import_id: int, limit: int = CHUNK,
                             now: datetime | None = None) -> warning_import.ImportView:
        """Import the next rows of a previewed file as risk clues (the counts say how far
        it got); the last chunk is audited with the import's totals."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            batch = warning_import.progress_row(tx.conn, import_id)
            policy.require(policy.import_warnings, actor, batch.county_code)
            was_done = batch.status == "done"
            more = warning_import.run_chunk(tx, actor, import_id, max(limit, 1), now)
            result = warning_import.view(tx.conn, import_id)
            if not more and not was_done:
                audit.append_global(tx.conn, "warnings_imported", actor, now, {
                    "import": import_id, "department": result.department,
                    "file": result.filename, "sha256": result.sha256,
                    "imported": result.imported, "duplicates": result.duplicates,
                    "refused": result.refused})
            return result

    def import_warnings(self, actor, import_id: int, chunk: int = CHUNK,
                        now: datetime | None = None,
                        progress: Callable[[warning_import.ImportView], None] | None = None
                        ) -> warning_import.ImportView:
        """Import every remaining row of a previewed file, one transaction per chunk (so
        others see the progress), calling ``progress`` after each."""
        while True:
            result = self.import_warning_chunk(actor, import_id, chunk, now)
            if progress is not None:
                progress(result)
            if result.status == "done":
                return result

    def warning_import(self, actor, import_id: int, rows: bool = True,
                       good_limit: int | None = None) -> warning_import.ImportView:
        """An import with its counts, progress and (by default) its rows: all, or every row
        with a problem or a duplicate and the first ``good_limit`` good rows."""
        with self.transaction(write=False) as tx:
            batch = warning_import.progress_row(tx.conn, import_id)
            policy.require(policy.import_warnings, actor, batch.county_code)
            return warning_import.view(tx.conn, import_id, rows, good_limit)

    def warning_imports(self, actor) -> list[warning_import.ImportView]:
        """The latest imports of the actor's county."""
        with self.transaction(write=False) as tx:
            county = actor.area_code[:6]
            policy.require(policy.import_warnings, actor, county)
            return warning_import.imports(tx.conn, county)

    # Clues ------------------------------------------------------------------------------

    def clues(self, actor, status: str = "", area: str = "", source: str = "",
              page: int = 1, size: int = 50) -> clues.CluePage:
        """The risk clues of the actor's area, oldest first, with counts by status."""
        with self.transaction(write=False) as tx:
            return clues.search(tx.conn, actor, status, area, source, max(page, 1),
                                min(max(size, 1), 200))

    def clue(self, clue_id: int, actor) -> clues.ClueView:
        """A risk clue the actor may read."""
        with self.transaction(write=False) as tx:
            return clues.get(tx.conn, actor, clue_id)

    def close_clue(self, actor, clue_id: int, reason: str, now: datetime | None = None
                   ) -> clues.ClueView:
        """Close an open clue after checking it, with the reason (village staff)."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            found = clues.close(tx.conn, actor, clue_id, reason, now)
            audit.append_global(tx.conn, "clue_closed", actor, now, {
                "clue": clue_id, "source": found.source, "village": found.village_code},
                reason.strip())
            return clues.get(tx.conn, actor, clue_id)

    def declare_clue(self, actor, clue_id: int, data: dict, now: datetime | None = None,
                     comment: str = "", locale: str = "zh_CN"):
        """Turn an open clue into a declaration: an identification case of its household
        (registered now from the clue if it is not yet) with the clue's discovery channel.
        Nothing is written when the declaration is refused."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            conn = tx.conn
            found = clues.handle(conn, actor, clue_id)
            key = self.identification_key()
            household = households.find(conn, found.household_id) if found.household_id \
                else next(iter(households.by_id_numbers(conn, [found.id_number])), None)
            if household is None:
                household = households.add(conn, actor, found.name, found.id_number,
                                           found.village_code, now=now)
            data = {**(data or {}), "household_id": household.id,
                    "channel": clues.CHANNELS[found.source]}
            source = (f"部门筛查预警（{DEPARTMENTS.get(found.department, found.department)}）"
                      if found.source == "department_warning" else
                      {"screening": "集中排查", "visit": "入户走访"}[found.source])
            note = f"{source}，风险线索 #{found.id}：{found.reason}"
            started = self.start(key, actor, data, now, comment=(
                f"{note}\n{comment}" if comment else note), locale=locale)
            clues.mark_declared(conn, actor, clue_id, household.id, started.case.id, now)
            audit.append_global(conn, "clue_declared", actor, now, {
                "clue": clue_id, "case": started.case.id, "household": household.id})
            return started

    def identification_key(self) -> str:
        """The deployed process key of the identification procedure (declarations start
        it), or NotFound."""
        keys = [key for procedure, key in self.procedures_for("household")
                if procedure.name == IDENTIFICATION]
        if not keys:
            raise NotFound("the identification process is not deployed")
        return keys[0]

    def clue_defaults(self, clue_id: int, actor) -> dict:
        """What a clue's declaration form starts with: channel, date, risks, description."""
        view = self.clue(clue_id, actor)
        if view.status != "open":
            raise DixianError(f"risk clue {clue_id} is already {view.status}")
        return {"channel": view.channel, "discovery_date": view.found_on.isoformat(),
                "risk_types": view.risk_types, "description": view.reason,
                "green_channel": False}
