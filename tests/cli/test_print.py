"""dixian print: trail, sheet, publicity notice and batches (rendered by the worker)."""
import io
import threading

import pdfplumber
import pytest

from engine.models import AuditEvent
from worker import run_print_job

from print_support import approve, run_case
from support import rows

PRINTED_AT = "2026-12-05T10:00"


def pdf_pages(content: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


@pytest.fixture
def three_cases(eng, deploy, users):
    deploy("workflows/monitoring_identification.bpmn")
    first = approve(eng, users, run_case(eng, users, household_id=1))
    second = run_case(eng, users, household_id=2)
    third = run_case(eng, users, household_id=4, village="village21", finish=False)
    return first, second, third


def test_cli_prints_a_trail_a_sheet_and_a_notice(three_cases, cli, tmp_path):
    first, second, _ = three_cases
    code, output = cli("print", "trail", str(first), "--as", "auditor", "--out",
                       str(tmp_path / "t.pdf"), now=PRINTED_AT)
    assert code == 0 and "chain intact (13 events)" in output
    text = "".join(pdf_pages((tmp_path / "t.pdf").read_bytes()))
    assert "县级审批" in text and "360799********4515" in text
    code, output = cli("print", "sheet", str(first), str(second), "--as", "county1", "--out",
                       str(tmp_path / "s.pdf"), now=PRINTED_AT)
    assert code == 0 and len(pdf_pages((tmp_path / "s.pdf").read_bytes())) == 2
    code, output = cli("print", "publicity", str(first), "--as", "village11", "--out",
                       str(tmp_path / "n.pdf"), now=PRINTED_AT)
    assert code == 0 and "publicity notice for 1 household(s)" in output
    assert "王建国" in pdf_pages((tmp_path / "n.pdf").read_bytes())[0]


def test_cli_print_refused_writes_no_file_and_no_event(three_cases, cli, tmp_path, eng):
    before = len(rows(eng, AuditEvent, AuditEvent.event == "printed"))
    code, output = cli("print", "trail", str(three_cases[0]), "--as", "village21", "--out",
                       str(tmp_path / "t.pdf"))
    assert code == 1 and output.startswith("error: case 1 in area 360799100001 is outside")
    assert not (tmp_path / "t.pdf").exists()
    assert len(rows(eng, AuditEvent, AuditEvent.event == "printed")) == before


def test_cli_batch_waits_for_the_worker_and_writes_the_pdf(eng, three_cases, cli, tmp_path):
    stop = threading.Event()

    def worker():
        while not stop.is_set():
            if not run_print_job(eng):
                stop.wait(0.05)
    thread = threading.Thread(target=worker)
    thread.start()
    try:
        out = tmp_path / "batch.pdf"
        code, output = cli("print", "batch", "--as", "auditor", "--area", "360799",
                           "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out))
    finally:
        stop.set()
        thread.join()
    assert code == 0, output
    assert "print job 1 queued: 3 cases" in output and "done 3/3 (100%)" in output
    assert f"batch of 3 trails written to {out}" in output
    assert "共 3 件" in pdf_pages(out.read_bytes())[0]


def test_cli_batch_refusal_names_the_problem(eng, three_cases, cli):
    code, output = cli("print", "batch", "--as", "village11", "--area", "360799",
                       "--from", "2026-11-01", "--to", "2026-11-30")
    assert code == 1 and "outside village11's area" in output
