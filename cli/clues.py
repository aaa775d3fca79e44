"""Department warnings and risk clues: ``dixian import warnings …``, ``dixian clues …``.

``import warnings`` checks the file first (the preview), then imports its good rows in
chunks, each committed on its own, printing the progress to standard error; it ends with
the rows imported, skipped (duplicates) and refused (with column and problem) by number.
"""
from __future__ import annotations

from pathlib import Path

import click

from engine import DEPARTMENTS
from engine.errors import DixianError

from .context import Context, fail, json_object, transactional
from .output import Report, table

as_user = click.option("--as", "as_user", required=True, help="the user who acts")
CLUE_COLUMNS = [("id", "id"), ("found", "found_on"), ("name", "name"), ("ID", "masked_id"),
                ("village", "village"), ("source", "source"),
                ("department", "department_name"), ("status", "status"),
                ("case", "case_id"), ("reason", "reason")]


def _numbers(rows) -> str:
    return ", ".join(str(r.number) for r in rows) or "-"


def import_report(view) -> Report:
    """What an import did, row by row."""
    imported = [r for r in view.rows if r.outcome == "imported"]
    skipped = [r for r in view.rows if r.outcome == "skipped"]
    refused = [r for r in view.rows if r.outcome == "refused"]
    lines = [f"import {view.id} of {view.filename} ({view.department_name}): "
             f"{view.imported} imported, {view.duplicates} skipped, {view.refused} refused "
             f"of {view.total_rows} rows",
             f"imported rows: {_numbers(imported)}",
             f"skipped rows: {_numbers(skipped)}"]
    lines += [f"  row {r.number}: {(r.duplicate_of or {}).get('en', '')}" for r in skipped]
    lines.append(f"refused rows: {_numbers(refused)}")
    lines += [f"  row {r.number}, column {p['label']} ({p['column']}): {p['en']}"
              for r in refused for p in r.problems]
    return Report(view, "\n".join(lines))


@click.group(name="import")
def import_group():
    """Import data from other departments."""


@import_group.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@as_user
@click.option("--department", required=True,
              help="the department the file comes from: " + ", ".join(
                  f"{code} ({name})" for code, name in DEPARTMENTS.items()))
@click.option("--preview", "preview_only", is_flag=True,
              help="only check the file: print its rows' problems, import nothing")
@click.option("--chunk", type=click.IntRange(min=1), default=500,
              help="rows per committed transaction")
@click.pass_obj
def warnings(obj: Context, file, as_user, department, preview_only, chunk):
    """Import a department's warning file (CSV or XLSX) as risk clues for the villages."""
    try:
        actor = obj.actor(as_user)
        view = obj.engine.preview_warnings(actor, file.name, file.read_bytes(), department,
                                           obj.now)
        if not preview_only:
            def progress(step):
                click.echo(f"{step.processed}/{step.total_rows} rows ({step.percent}%)",
                           err=True)
            obj.engine.import_warnings(actor, view.id, chunk, obj.now, progress)
            view = obj.engine.warning_import(actor, view.id)
    except DixianError as err:
        fail(str(err))
    if preview_only:
        lines = [f"preview {view.id} of {view.filename}: {view.good_rows} good, "
                 f"{view.duplicate_rows} duplicate, {view.error_rows} with errors"]
        lines += [f"  row {r.number}, column {p['label']} ({p['column']}): {p['en']}"
                  for r in view.rows for p in r.problems]
        lines += [f"  row {r.number}: duplicate: {r.duplicate_of['en']}"
                  for r in view.rows if r.duplicate_of]
        obj.show(Report(view, "\n".join(lines)))
    else:
        obj.show(import_report(view))


@click.group()
def clues():
    """Risk clues (风险线索) for the villages to check."""


@clues.command(name="list")
@as_user
@click.option("--status", type=click.Choice(["open", "declared", "closed"]), default=None)
@click.option("--area", default="", help="a township or village code")
@click.option("--page", type=click.IntRange(min=1), default=1)
@transactional(write=False)
def list_clues(obj, as_user, status, area, page):
    """List the risk clues of the user's area, oldest first."""
    found = obj.engine.clues(obj.actor(as_user), status or "", area, "", page, 100)
    counts = ", ".join(f"{k} {v}" for k, v in found.counts.items())
    more = f"\nmore: --page {page + 1}" if found.has_next else ""
    return Report(found, f"{counts}\n" + table(found.clues, CLUE_COLUMNS, "no risk clues")
                  + more)


@clues.command()
@click.argument("clue_id", metavar="CLUE", type=int)
@as_user
@click.option("--reason", required=True, help="why the check found no case to declare")
@transactional(write=True)
def close(obj, clue_id, as_user, reason):
    """Close a risk clue after checking it."""
    view = obj.engine.close_clue(obj.actor(as_user), clue_id, reason, obj.now)
    return Report(view, f"risk clue {view.id} closed: {view.close_reason}")


@clues.command()
@click.argument("clue_id", metavar="CLUE", type=int)
@as_user
@click.option("--data", default="{}", help="the declaration form's fields as JSON (the "
              "clue gives channel, discovery date, risk types and description)")
@transactional(write=True)
def declare(obj, clue_id, as_user, data):
    """Declare a risk clue: start the identification of its household."""
    actor = obj.actor(as_user)
    values = {**obj.engine.clue_defaults(clue_id, actor), **json_object(data)}
    started = obj.engine.declare_clue(actor, clue_id, values, obj.now)
    return Report(started, f"risk clue {clue_id} declared: case {started.case.id} started")


COMMANDS = [import_group, clues]
