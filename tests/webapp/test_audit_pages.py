"""The audit pages: cases across the area, trail verification, printouts as PDF downloads
(each a recorded POST), batch printing with progress and download."""
import io

import pdfplumber
import pytest
from sqlalchemy import update

from engine.models import Case
from worker import run_print_job

from print_support import approve, run_case


def pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


@pytest.fixture
def cases(eng, user):
    users = {name: user(name) for name in ("village11", "village21", "township1",
                                           "township2", "county1")}
    first = approve(eng, users, run_case(eng, users, household_id=1))
    other = run_case(eng, users, household_id=4, village="village21", finish=False)
    return first, other


def test_the_case_list_shows_the_area_with_print_buttons(client, auth, cases):
    auth.login("township1")
    page = client.get("/audit").get_data(as_text=True)
    assert "王建国" in page and "刘桂兰" not in page
    assert 'action="/cases/1/print/trail"' in page and 'action="/cases/1/print/sheet"' in page
    auth.logout()
    auth.login("auditor")
    page = client.get("/audit?status=running&text=刘").get_data(as_text=True)
    assert "刘桂兰" in page and "王建国" not in page
    assert client.get("/audit?area=360799200&text=王").get_data(as_text=True).count(
        "print/trail") == 0
    auth.logout()
    auth.login("township1")
    assert client.get("/audit?area=360799200").status_code == 403


def test_printing_a_trail_downloads_a_pdf_and_is_recorded(client, auth, cases, rows):
    auth.login("auditor")
    response = client.post("/cases/1/print/trail")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="trail-1.pdf"' in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    assert "县级审批" in text and "360799********4515" in text and "校验通过" in text
    printed = rows("SELECT actor_name FROM audit_events WHERE event = 'printed'")
    assert [r.actor_name for r in printed] == ["auditor"]
    assert client.get("/cases/1/print/trail").status_code == 405  # a GET prints nothing


def test_sheet_and_notice_downloads(client, auth, cases):
    auth.login("village11")
    assert "监测对象识别纳入审批表" in pdf_text(client.post("/cases/1/print/sheet").data)
    notice = pdf_text(client.post("/cases/1/print/publicity").data)
    assert "公示" in notice and "王建国" in notice and "4515" not in notice


def test_printing_outside_ones_area_is_refused(client, auth, cases, rows):
    auth.login("village21")
    assert client.post("/cases/1/print/trail").status_code == 403
    assert client.post("/cases/1/print/other").status_code == 404
    assert rows("SELECT id FROM audit_events WHERE event = 'printed'") == []


def test_verification_page_by_number(client, auth, cases, eng):
    auth.login("auditor")
    page = client.get("/audit/verify?case=1").get_data(as_text=True)
    head = eng.verify(1).head
    assert "13" in page and head in page and "verification ok" in page
    with eng.database.begin() as conn:
        conn.execute(update(Case).where(Case.id == 1).values(status="rejected"))
    page = client.get("/audit/verify?case=1").get_data(as_text=True)
    assert "seal does not match" in page
    page = client.get("/audit/verify?case=abc").get_data(as_text=True)
    assert 'aria-invalid="true"' in page
    assert "没有第 999 号案卷" in client.get("/audit/verify?case=999").get_data(as_text=True)
    auth.logout()
    auth.login("village21")
    assert client.get("/audit/verify?case=1").status_code == 403


def test_batch_printing_from_request_to_download(client, auth, cases, eng):
    auth.login("township1")
    page = client.get("/audit/batches").get_data(as_text=True)
    assert 'value="360799100"' in page and 'value="360799200"' not in page
    response = client.post("/audit/batches", data={
        "area": "360799100", "date_from": "2026-11-01", "date_to": "2026-11-30",
        "process_key": "", "status": ""}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "批量打印任务 #1 已排队：共 1 件" in page
    assert '<meta http-equiv="refresh" content="3">' in page and "0/1" in page
    assert run_print_job(eng) is True
    page = client.get("/audit/batches").get_data(as_text=True)
    assert "1/1" in page and "/audit/batches/1.pdf" in page and "http-equiv" not in page
    download = client.get("/audit/batches/1.pdf")
    assert download.mimetype == "application/pdf" and "王建国" in pdf_text(download.data)
    auth.logout()
    auth.login("township2")
    assert client.get("/audit/batches/1.pdf").status_code == 403


def test_batch_form_errors_are_shown_next_to_the_field(client, auth, cases, rows):
    auth.login("township1")
    page = client.post("/audit/batches", data={
        "area": "360799100", "date_from": "2026-10-01", "date_to": "2026-10-31",
        "process_key": "", "status": ""}).get_data(as_text=True)
    assert "has-error" in page and "本区划在该日期范围内没有立案的案卷" in page
    assert rows("SELECT id FROM print_jobs") == []
