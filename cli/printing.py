"""Printouts: a case's trail, its approval sheet, the village publicity notice, and batches
of trails rendered by the worker."""
from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

import click

from engine.errors import DixianError

from .context import day, fail, transactional
from .output import Report

out_option = click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
                          help="the PDF file to write")
as_option = click.option("--as", "as_user", required=True, help="who prints (audited)")


def _renderer():
    try:
        import printouts
    except ImportError as err:  # WeasyPrint or segno missing: say what to install
        raise DixianError(f"printing needs WeasyPrint and segno ({err})") from None
    return printouts


def _save(obj, out: str, content: bytes) -> None:
    obj.after_commit.append(lambda: Path(out).write_bytes(content))


@click.group(name="print")
def print_group():
    """Print trails, approval sheets, publicity notices and batches as PDF."""


@print_group.command()
@click.argument("case_id", metavar="CASE", type=int)
@as_option
@out_option
@transactional(write=True)
def trail(obj, case_id, as_user, out):
    """The process trail of CASE: steps, events, attachments, chain status, QR code."""
    printouts = _renderer()
    printout = obj.engine.printout(case_id, obj.actor(as_user), "trail", obj.now)
    content = printouts.render_trail(printout, obj.engine.settings.base_url)
    _save(obj, out, content)
    chain = (f"chain intact ({printout.verification.events} events)"
             if printout.verification.ok else f"CHAIN BROKEN: {printout.verification.problem}")
    return Report({"case": case_id, "file": out, "bytes": len(content),
                   "verification": asdict(printout.verification)},
                  f"trail of case {case_id} written to {out} ({len(content)} bytes); {chain}")


@print_group.command()
@click.argument("case_ids", metavar="CASE…", type=int, nargs=-1, required=True)
@as_option
@out_option
@transactional(write=True)
def sheet(obj, case_ids, as_user, out):
    """Approval sheets (审批表) of one or more cases, one page each, for filing."""
    printouts = _renderer()
    actor = obj.actor(as_user)
    content = printouts.render_sheet(obj.engine.printout(case_id, actor, "sheet", obj.now)
                                     for case_id in case_ids)
    _save(obj, out, content)
    return Report({"cases": list(case_ids), "file": out, "bytes": len(content)},
                  f"approval sheets of {len(case_ids)} case(s) written to {out}")


@print_group.command()
@click.argument("case_id", metavar="CASE", type=int)
@as_option
@out_option
@transactional(write=True)
def publicity(obj, case_id, as_user, out):
    """The village publicity notice (公示) for CASE and the households publicised with it."""
    printouts = _renderer()
    notice = obj.engine.publicity_notice(case_id, obj.actor(as_user), obj.now)
    content = printouts.render_notice(notice)
    _save(obj, out, content)
    return Report({"case": case_id, "file": out, "households": len(notice.households)},
                  f"publicity notice for {len(notice.households)} household(s) written to "
                  f"{out}")


@print_group.command()
@as_option
@click.option("--area", required=True, help="township or county code")
@click.option("--from", "date_from", required=True, help="first day (YYYY-MM-DD)")
@click.option("--to", "date_to", required=True, help="last day (YYYY-MM-DD)")
@click.option("--process", default="", help="only cases of this process key")
@click.option("--status", default="", help="only cases of this status")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="wait for the worker and write the PDF here")
@click.option("--timeout", type=click.FloatRange(min=1), default=3600.0, show_default=True,
              help="seconds to wait for the worker")
@click.pass_obj
def batch(obj, as_user, area, date_from, date_to, process, status, out, timeout):
    """Queue the trails of an area's cases started in a date range as one PDF; the worker
    renders it. With --out, wait and show progress, then write the file."""
    try:
        job = obj.engine.request_batch(obj.actor(as_user), area, day(date_from),
                                       day(date_to), process, status, obj.now)
    except DixianError as err:
        fail(str(err))
    click.echo(f"print job {job.id} queued: {job.total} cases", err=out is not None)
    if out is None:
        obj.show(Report(asdict(job), f"follow it with: dixian print job {job.id} --as "
                        f"{as_user}"))
        return
    wait_for(obj, job.id, as_user, out, timeout)


def wait_for(obj, job_id: int, as_user: str, out: str, timeout: float) -> None:
    """Show a job's progress until it is done, then write its PDF."""
    actor, shown, deadline = obj.actor(as_user), None, time.monotonic() + timeout
    while True:
        job = obj.engine.print_job(job_id, actor)
        if (job.status, job.done) != shown:
            click.echo(f"\r{job.status} {job.done}/{job.total} ({job.percent}%)", err=True,
                       nl=job.status in ("done", "failed"))
            shown = (job.status, job.done)
        if job.status == "failed":
            fail(f"print job {job_id} failed: {job.error}")
        if job.status == "done":
            break
        if time.monotonic() > deadline:
            fail(f"print job {job_id} is still {job.status} after {timeout:g}s; is the worker "
                 f"(dixian-worker) running?")
        time.sleep(0.5)
    job, content = obj.engine.print_job_content(job_id, actor)
    Path(out).write_bytes(content)
    obj.show(Report(asdict(job), f"batch of {job.total} trails written to {out} "
                    f"({len(content)} bytes, sha256 {job.sha256})"))


@print_group.command(name="job")
@click.argument("job_id", metavar="JOB", type=int)
@as_option
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="wait for it and write the PDF here")
@click.option("--timeout", type=click.FloatRange(min=1), default=3600.0)
@click.pass_obj
def job_command(obj, job_id, as_user, out, timeout):
    """Show a batch job's progress (with --out: wait, then write its PDF)."""
    try:
        if out is not None:
            wait_for(obj, job_id, as_user, out, timeout)
            return
        job = obj.engine.print_job(job_id, obj.actor(as_user))
    except DixianError as err:
        fail(str(err))
    obj.show(Report(asdict(job), f"print job {job.id}: {job.status} {job.done}/{job.total} "
                    f"({job.percent}%)" + (f" — {job.error}" if job.error else "")))


COMMANDS = [print_group]
