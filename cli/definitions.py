"""Comparing definition versions and moving running cases to a newer one."""
from __future__ import annotations

import click

from .context import transactional
from .output import Report, table


@click.command()
@click.argument("key")
@click.argument("from_version", type=int)
@click.argument("to_version", type=int)
@click.option("--as", "as_user", required=True, help="the administrator asking")
@transactional(write=False)
def diff(obj, key, from_version, to_version, as_user):
    """Elements and files added, removed and changed between two versions of a process."""
    result = obj.engine.diff_versions(key, from_version, to_version, obj.actor(as_user))
    lines = [f"{key} v{from_version} → v{to_version}"]
    lines.append(table(result.elements, [
        ("status", "status"), ("element", "element"), ("type", "kind"), ("name", "name"),
        ("changes", lambda e: "; ".join(f"{c.what}: {_short(c.old)} → {_short(c.new)}"
                                        for c in e.changes))], empty="no element changed"))
    for file in result.files:
        lines.append(f"{file.status} {file.kind} {file.file}" + "".join(
            f"\n  {c.what}: {_short(c.old)} → {_short(c.new)}" for c in file.changes))
    return Report(result, "\n".join(lines))


def _short(text: str, size: int = 40) -> str:
    text = " ".join(str(text).split()) or "-"
    return text if len(text) <= size else text[:size - 1] + "…"


@click.command()
@click.argument("key")
@click.option("--to", "to_version", type=int, required=True, help="the version to move to")
@click.option("--case", "case_ids", type=int, multiple=True,
              help="a case to move (repeat; default: every running case of older versions)")
@click.option("--dry-run", is_flag=True, help="check and report, change nothing")
@click.option("--as", "as_user", required=True, help="the administrator deciding it")
@click.pass_obj
def migrate(obj, key, to_version, case_ids, dry_run, as_user):
    """Move running cases of a process to a newer version (refused per case with the
    reason when a step it stands at is gone)."""
    from .context import execute

    execute(obj, not dry_run, _migrate, key=key, to_version=to_version,
            case_ids=list(case_ids) or None, dry_run=dry_run, as_user=as_user)


def _migrate(obj, key, to_version, case_ids, dry_run, as_user):
    report = obj.engine.migrate_cases(key, to_version, obj.actor(as_user), case_ids, dry_run,
                                      obj.now)
    verb = "would move" if dry_run else "moved"
    text = table(report.cases, [
        ("case", "case_id"), ("title", "title"), ("from", "from_version"),
        ("to", "to_version"), ("result", lambda c: verb if c.moved else "refused"),
        ("reason", "reason")], empty="no running case of an older version")
    return Report(report, f"{text}\n{report.moved} of {len(report.cases)} cases {verb} to "
                          f"{key} v{report.to_version}")


COMMANDS = [diff, migrate]
