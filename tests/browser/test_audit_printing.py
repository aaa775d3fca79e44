"""An auditor in Chromium: finds a case in the audit list, prints its trail (a PDF download
read back), verifies the trail by number, and sees the verification fail after tampering."""
import io

import pdfplumber
from playwright.sync_api import expect
from sqlalchemy import update

from engine.models import Case

from print_support import approve, run_case
from support import ROOT

SHOTS = ROOT / "artifacts" / "screenshots"


def test_auditor_prints_and_verifies_a_trail(eng, users, demo_site, login):
    case_id = approve(eng, users, run_case(eng, users))
    page = login("auditor")
    page.locator("nav.main a[href='/audit']").click()
    row = page.locator("table.list tr", has_text="王建国")
    expect(row).to_contain_text("东山村")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "audit-cases.png"), full_page=True)
    with page.expect_download() as download:
        row.locator(f"form[action='/cases/{case_id}/print/trail'] button").click()
    content = download.value.path().read_bytes()
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    assert "县级审批" in text and "360799********4515" in text and "校验通过" in text
    page.goto(f"/audit/verify?case={case_id}")
    expect(page.locator(".verification.ok")).to_be_visible()
    page.screenshot(path=str(SHOTS / "audit-verify.png"), full_page=True)
    with eng.database.begin() as conn:
        conn.execute(update(Case).where(Case.id == case_id).values(status="cancelled"))
    page.locator("form.search button[type=submit]").click()
    expect(page.locator(".verification.error")).to_contain_text("seal does not match")
