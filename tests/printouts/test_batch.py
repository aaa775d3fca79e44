"""Batch printing: requested on a page or the CLI, rendered by the worker with progress,
downloaded when done; refused outside one's area; claimed by one worker only."""
import pytest

import printouts
from engine import Forbidden, InvalidData
from engine.models import AuditEvent
from worker import run_print_job

from print_support import approve, run_case
from support import rows, run_together, workers

from .conftest import PRINTED_AT, keep, pdf_pages


@pytest.fixture
def three_cases(eng, identification):
    users = identification
    first = approve(eng, users, run_case(eng, users, household_id=1))
    second = run_case(eng, users, household_id=2)
    third = run_case(eng, users, household_id=4, village="village21", finish=False)
    return first, second, third


def test_a_township_batch_is_rendered_by_the_worker_with_contents(eng, three_cases):
    first, second, _ = three_cases
    auditor = eng.find_user("auditor")
    job = eng.request_batch(auditor, "360799100", "2026-11-01", "2026-11-30", now=PRINTED_AT)
    assert (job.status, job.total, job.done, job.area_name) == ("queued", 2, 0, "东山镇")
    seen = []
    real = eng.print_job_progress
    eng.print_job_progress = lambda job_id, done: (seen.append(done), real(job_id, done))
    assert run_print_job(eng, PRINTED_AT) is True
    assert seen == [1, 2]
    done, content = eng.print_job_content(job.id, auditor)
    keep("batch.pdf", content)
    assert (done.status, done.done, done.percent) == ("done", 2, 100)
    assert done.filename == "trails-360799100-2026-11-01-2026-11-30.pdf"
    pages = pdf_pages(content)
    contents = pages[0]
    assert "东山镇流程记录汇编（2026-11-01 至 2026-11-30）" in contents and "共 2 件" in contents
    assert "第 1 号 王建国" in contents and "第 2 号 李秀英" in contents
    assert "2（2 页）" in contents and "4（" in contents  # each trail's first page
    assert "王建国" in pages[1] and "李秀英" in pages[3] and "刘桂兰" not in "".join(pages)
    printed = rows(eng, AuditEvent, AuditEvent.event == "printed")
    assert [(p.actor_name, p.data["kind"], p.data["cases"]) for p in printed] == [
        ("auditor", "batch", 2)]
    assert run_print_job(eng, PRINTED_AT) is False  # nothing left


def test_batch_requests_are_checked(eng, three_cases):
    township = eng.find_user("township1")
    with pytest.raises(Forbidden, match="outside township1"):
        eng.request_batch(township, "360799", "2026-11-01", "2026-11-30")
    with pytest.raises(InvalidData, match="no case of this area started") as err:
        eng.request_batch(township, "360799100", "2026-10-01", "2026-10-31")
    assert err.value.errors == {"from": "no cases"}
    with pytest.raises(InvalidData, match="ends before it starts"):
        eng.request_batch(township, "360799100", "2026-11-30", "2026-11-01")
    with pytest.raises(InvalidData, match="to must be a date"):
        eng.request_batch(township, "360799100", "2026-11-01", "30.11.2026")
    assert eng.print_jobs(township) == []
    job = eng.request_batch(township, "360799100", "2026-11-01", "2026-11-30")
    with pytest.raises(Forbidden):
        eng.print_job(job.id, eng.find_user("township2"))
    assert [j.id for j in eng.print_jobs(eng.find_user("auditor"))] == [job.id]
    assert eng.print_jobs(eng.find_user("township2")) == []


def test_two_workers_never_take_the_same_job(eng, three_cases):
    auditor = eng.find_user("auditor")
    job = eng.request_batch(auditor, "360799", "2026-11-01", "2026-11-30")
    claimed = []
    engines = workers(eng, 4)
    errors = run_together([lambda e=e: claimed.append(e.claim_print_job(PRINTED_AT))
                           for e in engines])
    assert errors == []
    assert [c.id for c in claimed if c is not None] == [job.id]
    assert eng.print_job(job.id, auditor).status == "running"


def test_a_failed_render_marks_the_job_failed_with_the_reason(eng, three_cases, monkeypatch):
    auditor = eng.find_user("auditor")
    job = eng.request_batch(auditor, "360799", "2026-11-01", "2026-11-30")

    def broken(*args, **kwargs):
        raise printouts.NoCJKFont("no Chinese font is installed")
    monkeypatch.setattr(printouts, "render_batch", broken)
    assert run_print_job(eng, PRINTED_AT) is True
    failed = eng.print_job(job.id, auditor)
    assert failed.status == "failed" and "no Chinese font is installed" in failed.error
    with pytest.raises(Exception, match="failed, not done"):
        eng.print_job_content(job.id, auditor)
