"""The worker's chores beside the timers: batch print jobs and the daily checkpoint.

A batch is rendered here, never in a web worker: a county's cases take minutes, and a web
request would hold a worker and time out. Progress is written after each case, so the page
and the CLI can show it; a job that fails is marked failed with the reason.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from engine import Engine

from .service import summary

log = logging.getLogger("dixian.worker")


def run_print_job(engine: Engine, now: datetime | None = None) -> bool:
    """Claim one queued batch job and render it; False when none was waiting."""
    job = engine.claim_print_job(now)
    if job is None:
        return False
    import printouts  # WeasyPrint loads in a second or two: only when there is work

    log.info("print job %d: %d cases of %s", job.id, job.total, job.area_code)
    try:
        requester = engine.user(job.requested_by)
        base = engine.settings.base_url

        def cases():
            for case_id in engine.batch_case_ids(job):
                yield engine.printout(case_id, requester, "batch", now, record=False)

        heading = f"{job.area_name}流程记录汇编（{job.date_from} 至 {job.date_to}）"
        content = printouts.render_batch(cases(), base, heading,
                                         lambda done: engine.print_job_progress(job.id, done))
        filename = f"trails-{job.area_code}-{job.date_from}-{job.date_to}.pdf"
        engine.finish_print_job(job.id, content, filename, now)
        log.info("print job %d done (%d bytes)", job.id, len(content))
    except Exception as err:  # the worker goes on; the job says why it failed
        log.error("print job %d failed: %s", job.id, summary(err))
        engine.finish_print_job(job.id, b"", "", now, error=summary(err))
    return True


def checkpoint_chore(engine: Engine, now: Callable[[], datetime | None]) -> Callable[[], bool]:
    """A chore that writes today's signed checkpoint once a day."""
    def chore() -> bool:
        moment = now()
        if not engine.checkpoint_due(moment):
            return False
        written = engine.checkpoint(None, moment)
        log.info("checkpoint written: %s (%d case chains)", written.path, written.cases)
        return True
    return chore
