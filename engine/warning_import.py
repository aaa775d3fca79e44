"""Department warning imports: a checked preview of the file, then the import of its good
rows as risk clues, a chunk at a time, with the progress kept on the import's row.

A row gives one clue and nothing else; a chunk's clues are inserted in one statement that
skips, by the unique keys, people who have an open clue or rows this file already gave
(also when another import added them meanwhile), and a refused row writes nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select, update

from . import attachments, clues, warning_files
from .clue_models import RiskClue, WarningImport, WarningRow
from .directory import areas
from .errors import InvalidData, NotFound
from .forms import mask_id_number
from .models import Household, Level, User

IMPORTS, ROWS, CLUES, HOUSEHOLDS, USERS = (WarningImport.__table__, WarningRow.__table__,
                                           RiskClue.__table__, Household.__table__,
                                           User.__table__)
PROGRESS = [c for c in IMPORTS.c if c.name != "skipped"]


@dataclass(frozen=True)
class RowView:
    """One row of the file as checked: its problems, or what it duplicates, and after the
    import what became of it."""

    number: int
    name: str
    masked_id: str
    village: str
    reason: str
    risk_types: list
    found_on: str
    status: str  # ok, error, duplicate
    problems: list[dict]
    duplicate_of: dict | None
    outcome: str  # "", imported, skipped, refused
    clue_id: int | None


@dataclass(frozen=True)
class ImportView:
    """An import: its file, its counts and progress, and (when asked) its rows."""

    id: int
    county_code: str
    department: str
    department_name: str
    filename: str
    sha256: str
    status: str  # previewed, importing, done
    total_rows: int
    good_rows: int
    error_rows: int
    duplicate_rows: int
    processed: int
    imported: int
    duplicates: int
    refused: int
    uploaded_by: str
    uploaded_at: datetime
    finished_at: datetime | None
    rows: list[RowView]

    @property
    def percent(self) -> int:
        """How much of the file the import has gone through."""
        return 100 if not self.total_rows else self.processed * 100 // self.total_rows


def _resolve_village(values: dict, household, by_code: dict, by_name: dict) -> dict | None:
    if household is not None:
        values["village"] = household.village_code
        return None
    given = values["village"]
    if not given:
        return warning_files.problem("village", "不能为空（该身份证号未在农户库登记，须填写所在村）",
                                     "is empty (the ID number is not registered: give the "
                                     "village)")
    if re.fullmatch(r"\d{12}", given):
        if given in by_code:
            return None
        return warning_files.problem("village", f"“{given}”不是本县的村",
                                     f"{given!r} is not a village of this county")
    codes = by_name.get(given, [])
    if len(codes) == 1:
        values["village"] = codes[0]
        return None
    return warning_files.problem(
        "village", f"本县有 {len(codes)} 个名为“{given}”的村，请填写 12 位区划代码"
        if codes else f"本县没有名为“{given}”的村",
        f"{len(codes)} villages of this county are named {given!r}: give the 12-digit code"
        if codes else f"no village of this county is named {given!r}")


def check(conn, county: str, sheet: warning_files.Sheet, department: str, today: date,
          sha: str) -> list[dict]:
    """Every row of the sheet cleaned and judged: ok, error (with its problems) or
    duplicate (of an earlier row, an open clue, this file's earlier import, a running case)."""
    at = warning_files.columns(sheet.header)
    villages = [a for a in areas(conn, county) if a.level == Level.VILLAGE.value]
    by_code = {a.code: a.name for a in villages}
    by_name: dict[str, list[str]] = {}
    for village in villages:
        by_name.setdefault(village.name, []).append(village.code)
    checked = [(n, *warning_files.check_row(cells, at, today, department))
               for n, cells in sheet.rows]
    ids = [v["id_number"] for _, v, p in checked if v["id_number"]]
    registered = {}
    for start in range(0, len(ids), 500):
        for r in conn.execute(select(HOUSEHOLDS.c.id_number, HOUSEHOLDS.c.village_code).where(
                HOUSEHOLDS.c.id_number.in_(ids[start:start + 500]))):
            registered[r.id_number] = r
    taken = clues.taken(conn, ids, sha)
    seen: dict[str, int] = {}
    out = []
    for number, values, problems in checked:
        if not any(p["column"] == "id_number" for p in problems):
            household = registered.get(values["id_number"])
            if household is not None and not household.village_code.startswith(county):
                problems.append(warning_files.problem(
                    "id_number", "该户登记在本县以外", "the household is registered outside "
                    "this county"))
            else:
                bad = _resolve_village(values, household, by_code, by_name)
                problems += [bad] if bad else []
        duplicate = None
        if not problems:
            if values["id_number"] in seen:
                duplicate = clues.duplicate_text(f"row:{seen[values['id_number']]}")
            elif values["id_number"] in taken:
                duplicate = clues.duplicate_text(taken[values["id_number"]])
            else:
                seen[values["id_number"]] = number
        out.append({"row": number, "values": values, "problems": problems,
                    "duplicate_of": duplicate,
                    "status": "error" if problems else "duplicate" if duplicate else "ok"})
    return out


def preview(tx, actor, county: str, filename: str, content: bytes, department: str,
            now: datetime, today: date) -> int:
    """Read and check a file, keep its rows as the import's preview; the import's id."""
    code = warning_files.department_code(department)
    if code is None:
        raise InvalidData("choose the department the file comes from ("
                          + "、".join(warning_files.DEPARTMENTS.values()) + ")",
                          {"department": "required"})
    sheet = warning_files.read(filename, content)
    sha = attachments.digest(content)
    rows = check(tx.conn, county, sheet, code, today, sha)
    suffix = ".xlsx" if content.startswith(b"PK\x03\x04") else ".csv"
    name = attachments.clean_filename(filename or "warnings", suffix)
    counts = {status: sum(1 for r in rows if r["status"] == status)
              for status in ("ok", "error", "duplicate")}
    import_id = tx.conn.execute(insert(IMPORTS).values(
        county_code=county, department=code, filename=name, sha256=sha,
        size=len(content), status="previewed", total_rows=len(rows), good_rows=counts["ok"],
        error_rows=counts["error"], duplicate_rows=counts["duplicate"], skipped=[],
        processed=0, imported=0, duplicates=0, refused=0, uploaded_by=actor.id,
        uploaded_at=now).returning(IMPORTS.c.id)).scalar_one()
    if rows:
        tx.conn.execute(insert(ROWS), [
            {"import_id": import_id, "position": position, "number": r["row"],
             "status": r["status"], "data": {k: r[k] for k in ("values", "problems",
                                                               "duplicate_of")}}
            for position, r in enumerate(rows)])
    return import_id


def progress_row(conn, import_id: int, lock: bool = False):
    """An import's row without its rows (locked while a chunk is imported), or NotFound."""
    query = select(*PROGRESS).where(IMPORTS.c.id == import_id)
    found = conn.execute(query.with_for_update() if lock else query).first()
    if found is None:
        raise NotFound(f"warning import {import_id} does not exist")
    return found


def run_chunk(tx, actor, import_id: int, limit: int, now: datetime) -> bool:
    """Import the next ``limit`` rows of a previewed file; whether rows remain."""
    conn = tx.conn
    batch = progress_row(conn, import_id, lock=True)
    if batch.status == "done":
        return False
    skipped = conn.execute(select(IMPORTS.c.skipped).where(
        IMPORTS.c.id == import_id)).scalar_one()
    part = [{"row": r.number, "status": r.status, **r.data} for r in conn.execute(
        select(ROWS.c.number, ROWS.c.status, ROWS.c.data).where(
            ROWS.c.import_id == import_id, ROWS.c.position >= batch.processed,
            ROWS.c.position < batch.processed + limit).order_by(ROWS.c.position))]
    counts = {"imported": 0, "duplicates": 0, "refused": 0}
    skipped = list(skipped or [])
    recheck = clues.taken(conn, [r["values"]["id_number"] for r in part
                                 if r["status"] == "ok"], batch.sha256)
    fresh = []
    for entry in part:
        if entry["status"] == "error":
            counts["refused"] += 1
        elif entry["status"] == "duplicate":
            counts["duplicates"] += 1
        elif entry["values"]["id_number"] in recheck:
            counts["duplicates"] += 1
            skipped.append([entry["row"], recheck[entry["values"]["id_number"]]])
        else:
            fresh.append(entry)
    added = clues.add_many(tx, actor, [(e["values"], {
        "source": "department_warning", "source_sha": batch.sha256, "import_id": import_id,
        "row_number": e["row"]}) for e in fresh], now)
    lost = [e for e in fresh if e["values"]["id_number"] not in added]
    taken_now = clues.taken(conn, [e["values"]["id_number"] for e in lost], batch.sha256)
    for entry in lost:  # another writer added them since the check above
        skipped.append([entry["row"], taken_now.get(entry["values"]["id_number"], "open:?")])
    counts["imported"] += len(added)
    counts["duplicates"] += len(lost)
    processed = batch.processed + len(part)
    done = processed >= batch.total_rows
    conn.execute(update(IMPORTS).where(IMPORTS.c.id == import_id).values(
        processed=processed, status="done" if done else "importing",
        finished_at=now if done else None, skipped=skipped,
        imported=batch.imported + counts["imported"],
        duplicates=batch.duplicates + counts["duplicates"],
        refused=batch.refused + counts["refused"]))
    return not done


def view(conn, import_id: int, with_rows: bool = False, good_limit: int | None = None
         ) -> ImportView:
    """An import with its counts; with its rows and their outcome when asked (every row
    with a problem or a duplicate, and the first ``good_limit`` good rows)."""
    batch = progress_row(conn, import_id)
    who = conn.execute(select(USERS.c.display_name, USERS.c.username).where(
        USERS.c.id == batch.uploaded_by)).first()
    return ImportView(
        batch.id, batch.county_code, batch.department,
        warning_files.DEPARTMENTS.get(batch.department, batch.department), batch.filename,
        batch.sha256, batch.status, batch.total_rows, batch.good_rows, batch.error_rows,
        batch.duplicate_rows, batch.processed, batch.imported, batch.duplicates,
        batch.refused, (who.display_name or who.username) if who else "",
        batch.uploaded_at, batch.finished_at,
        _row_views(conn, batch, good_limit) if with_rows else [])


def _row_views(conn, batch, good_limit: int | None) -> list[RowView]:
    query = select(ROWS.c.position, ROWS.c.number, ROWS.c.status, ROWS.c.data).where(
        ROWS.c.import_id == batch.id)
    if good_limit is None:
        found = conn.execute(query.order_by(ROWS.c.position)).all()
    else:
        flagged = conn.execute(query.where(ROWS.c.status != "ok")
                               .order_by(ROWS.c.position)).all()
        good = conn.execute(query.where(ROWS.c.status == "ok").order_by(ROWS.c.position)
                            .limit(good_limit)).all()
        found = sorted(flagged + good, key=lambda r: r.position)
    numbers = [r.number for r in found]
    made = dict(conn.execute(select(CLUES.c.row_number, CLUES.c.id).where(
        CLUES.c.import_id == batch.id, CLUES.c.row_number.in_(numbers))).all()) \
        if numbers else {}
    skipped = conn.execute(select(IMPORTS.c.skipped).where(
        IMPORTS.c.id == batch.id)).scalar_one()
    late = {number: why for number, why in skipped or []}
    views = []
    for r in found:
        values, number = r.data["values"], r.number
        duplicate = r.data["duplicate_of"] or (clues.duplicate_text(late[number])
                                               if number in late else None)
        outcome = "" if r.position >= batch.processed else (
            "imported" if number in made else "refused" if r.status == "error"
            else "skipped")
        views.append(RowView(
            number, values.get("name", ""), mask_id_number(values.get("id_number", "")),
            values.get("village", ""), values.get("reason", ""),
            values.get("risk_types") or [], values.get("found_on", ""), r.status,
            r.data["problems"], duplicate, outcome, made.get(number)))
    return views


def imports(conn, county: str, limit: int = 20) -> list[ImportView]:
    """The county's latest imports, without their rows."""
    ids = conn.execute(select(IMPORTS.c.id).where(IMPORTS.c.county_code == county)
                       .order_by(IMPORTS.c.id.desc()).limit(limit)).scalars().all()
    return [view(conn, i) for i in ids]
