"""One identification case carried through the UI in Chromium: village11 declares for
王建国, checks at home (two checkers) and attaches the signed authorisation, holds the
village review and posts the publicity; the publicity period passes (its timer is fired at
publicity_end + 1 minute); township1 and county1 approve. The case page shows the steps,
the history, the attachment and the diagram with done/current markers; village21, of another
township, sees none of it. Screenshots of the inbox, a task page and the case page in
Chinese and English go to artifacts/screenshots/.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from engine import TIMEZONE

HOUSEHOLD = "王建国"
ATTACHMENT = "承诺授权书-王建国.pdf"
# A minimal one-page PDF (the app checks the %PDF- signature, not the rest).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
INBOX = re.compile(r"/(inbox)?(\?.*)?$")
TASK_FORM = "section.task-form form[action^='/tasks/']:not(.inline)"  # not claim/unclaim


def today() -> date:
    """Today in Beijing: the app checks dates against it."""
    return datetime.now(timezone.utc).astimezone(TIMEZONE).date()


def switch_language(page: Page, locale: str) -> None:
    """Use the header's language switch; the page comes back in the other language."""
    page.locator("form.lang button[name=locale]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en" if locale == "en" else "zh-CN")


def set_value(field, value: str) -> None:
    """Fill a text input or choose the option of a select, whichever the form renders."""
    if field.evaluate("e => e.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)


def shoot(page: Page, folder, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def open_item(page: Page, case_id: int, title: str | None = None) -> int:
    """From the inbox, open the one open item of the case (optionally the one with that
    title); returns the item id."""
    page.goto("/inbox")
    rows = page.locator("table.list tbody tr").filter(
        has=page.locator(f"a[href='/cases/{case_id}']"))
    if title:
        rows = rows.filter(has_text=title)
    expect(rows).to_have_count(1)
    link = rows.locator("a[href^='/tasks/']")
    item_id = int(link.get_attribute("href").rsplit("/", 1)[1])
    link.click()
    page.wait_for_url(f"**/tasks/{item_id}")
    expect(page.locator(TASK_FORM)).to_be_visible()
    return item_id


def submit(page: Page, decision: str | None = None) -> None:
    """Submit the task form (with a decision button if given) and land on the inbox."""
    form = page.locator(TASK_FORM)
    if decision:
        form.locator(f"button[name=decision][value={decision}]").click()
    else:
        form.locator("button.primary[type=submit]").click()
    page.wait_for_url(INBOX)
    expect(page.locator(".flash.success")).to_be_visible()


def test_identification_case_from_declaration_to_county_approval(login, eng, screenshots):
    day = today().isoformat()

    # -- village11: find the household and register the declaration --------------------
    village = login("village11")
    village.locator("nav.main a[href='/households']").click()
    village.locator("input[name=q]").fill(HOUSEHOLD)
    village.locator("form.search button[type=submit]").click()
    village.locator("table.list a", has_text=HOUSEHOLD).click()
    expect(village.locator("h1")).to_contain_text(HOUSEHOLD)
    village.locator("a[href$='/declare/monitoring_identification']").click()
    form = village.locator("form.task-form")
    form.locator("input[name=channel][value=self_declaration]").check()
    form.locator("#f-discovery_date").fill(day)
    form.locator("input[name=risk_types][value='01']").check()
    form.locator("#f-commitment_signed").check()
    form.locator("#comment").fill("农户到村委会自主申报")
    form.locator("button.primary[type=submit]").click()
    village.wait_for_url(re.compile(r"/cases/\d+$"))
    case_id = int(village.url.rsplit("/", 1)[1])
    expect(village.locator(".flash.success")).to_contain_text(str(case_id))

    # -- screenshots of the inbox and a task page, in Chinese and in English -------------
    village.goto("/inbox")
    expect(village.locator(f"table.list a[href='/cases/{case_id}']")).to_be_visible()
    shoot(village, screenshots, "inbox_zh_CN")
    home_check = open_item(village, case_id)
    expect(village.locator("section.summary")).to_contain_text(HOUSEHOLD)
    shoot(village, screenshots, "task_zh_CN")
    switch_language(village, "en")
    village.wait_for_url(f"**/tasks/{home_check}")
    expect(village.locator("section.task-form h2")).to_have_text("Home check")
    shoot(village, screenshots, "task_en")
    village.goto("/inbox")
    expect(village.locator("nav.tabs")).to_contain_text("Unclaimed")
    shoot(village, screenshots, "inbox_en")
    village.goto(f"/tasks/{home_check}")
    switch_language(village, "zh_CN")
    village.wait_for_url(f"**/tasks/{home_check}")

    # -- home check: start the form, attach the signed authorisation (what was typed stays),
    # then finish the form -----------------------------------------------------------------
    form = village.locator(TASK_FORM)
    form.locator("#f-checkers").fill("王支书\n李队员")
    form.locator("#f-check_date").fill(day)
    village.locator("#comment").fill("两名干部入户")
    upload = village.locator("#attachments .upload")
    upload.locator("select[name=kind]").select_option("authorisation")
    upload.locator("input[name=file]").set_input_files(
        {"name": ATTACHMENT, "mimeType": "application/pdf", "buffer": PDF})
    upload.locator("button[type=submit]").click()
    expect(village.locator(".flash.success")).to_be_visible()
    expect(village.locator("#attachments table.list")).to_contain_text(ATTACHMENT)
    form = village.locator(TASK_FORM)
    expect(form.locator("#f-checkers")).to_have_value("王支书\n李队员")
    expect(form.locator("#f-check_date")).to_have_value(day)
    expect(village.locator("#comment")).to_have_value("两名干部入户")
    form.locator("#f-annual_household_income").fill("24000")
    form.locator("#f-income_per_head").fill("6000")
    form.locator("#f-out_of_pocket_medical").fill("18000")
    form.locator("#f-major_illness").check()
    set_value(form.locator("#f-disability_grade"), "0")
    form.locator("#f-rigid_spending").fill("30000")
    submit(village)

    # -- village democratic review and publicity -----------------------------------------
    open_item(village, case_id)
    expect(village.locator("dd.fact-recommendation")).to_be_visible()  # the DMN suggestion
    form = village.locator(TASK_FORM)
    form.locator("#f-meeting_date").fill(day)
    form.locator("#f-attendees").fill("30")
    form.locator("#f-votes_for").fill("28")
    form.locator("#f-votes_against").fill("1")
    submit(village, "approve")

    open_item(village, case_id)
    form = village.locator(TASK_FORM)
    form.locator("#f-publicity_start").fill(day)
    form.locator("#f-publicity_place").fill("村委会公示栏")
    expect(form.locator("#f-publicity_days")).to_have_value("5")
    submit(village)

    # Publicity is a period on the case, not a to-do: no inbox row, its dates on the case.
    village.goto("/inbox")
    expect(village.locator(f"table.list a[href='/cases/{case_id}']")).to_have_count(0)
    village.goto(f"/cases/{case_id}")
    last = (today() + timedelta(days=4)).isoformat()
    expect(village.locator("dd.period-open")).to_contain_text(f"{day} 至 {last}")

    # -- the publicity period passes: fire the timers just after it ends ------------------
    publicity_end = datetime.combine(today() + timedelta(days=5), time(), TIMEZONE)
    sweep = eng.fire_due(publicity_end + timedelta(minutes=1))
    assert sweep.fired >= 1 and not sweep.failed, sweep
    village.reload()
    expect(village.locator("dd.period-closed")).to_contain_text(f"{day} 至 {last}")

    # -- another village (another township) sees nothing of the case ---------------------
    other = login("village21")
    expect(other.locator(f"a[href='/cases/{case_id}']")).to_have_count(0)
    for view in ("all", "done"):
        other.goto(f"/inbox?view={view}")
        expect(other.locator("h1")).to_be_visible()
        expect(other.locator(f"a[href='/cases/{case_id}']")).to_have_count(0)
    assert other.goto(f"/cases/{case_id}").status == 403
    assert other.goto(f"/tasks/{home_check}").status == 403

    # -- township review ------------------------------------------------------------------
    township = login("township1")
    open_item(township, case_id, "乡镇审核")
    form = township.locator(TASK_FORM)
    form.locator("#f-onsite_check").check()
    form.locator("#comment").fill("材料齐全，同意上报")
    submit(township, "approve")

    # -- county approval ------------------------------------------------------------------
    county = login("county1")
    open_item(county, case_id, "县级审批")
    form = county.locator(TASK_FORM)
    form.locator("input[name=object_type][value='边缘易致贫户']").check()
    submit(county, "approve")

    # -- the case page: steps, history, attachment, diagram -------------------------------
    county.goto(f"/cases/{case_id}")
    steps = county.locator("main table.list").first
    for title in ("入户核实", "村级民主评议", "村内公示", "乡镇审核", "县级审批"):
        expect(steps.locator("tr", has_text=title).first).to_be_visible()
    expect(steps.locator("tr", has_text="县级审批")).to_contain_text("县乡村振兴局 王科长")
    history = county.locator("table.history")
    for title in ("入户核实", "村级民主评议", "村内公示", "乡镇审核", "县级审批"):
        expect(history.locator("tr", has_text=title).first).to_be_visible()
    expect(history).to_contain_text("王支书")
    expect(history).to_contain_text(ATTACHMENT)
    expect(county.locator("main p.meta .ok")).to_be_visible()  # trail verified
    attachment_row = county.locator("#attachments tr", has_text=ATTACHMENT)
    expect(attachment_row).to_contain_text("签字的承诺授权书")  # the kind's label, not its key
    expect(county.locator("section.summary")).to_contain_text("边缘易致贫户")

    diagram = county.locator("#diagram")
    expect(diagram).to_have_attribute("data-ready", "true")
    expect(diagram.locator("svg").first).to_be_visible()
    for task in ("home_check", "village_review", "post_publicity", "township_review",
                 "county_approval"):
        expect(diagram.locator(f".djs-element.dx-done[data-element-id={task}]")).to_have_count(1)
    expect(diagram.locator(".djs-element.dx-current").first).to_be_attached()
    shoot(county, screenshots, "case_zh_CN")

    switch_language(county, "en")
    county.wait_for_url(f"**/cases/{case_id}")
    expect(county.locator("h1")).to_contain_text("Case")
    expect(county.locator("#diagram")).to_have_attribute("data-ready", "true")
    expect(county.locator("#attachments tr", has_text=ATTACHMENT)).to_contain_text(
        "Signed authorisation")
    shoot(county, screenshots, "case_en")

    # The attachment downloads intact from the case page.
    with county.expect_download() as download:
        county.locator("#attachments a", has_text=ATTACHMENT).click()
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read() == PDF


AREAS = {"village11": "东山村", "township1": "东山镇", "county1": "示范县",
         "admin": "示范县", "auditor": "示范县"}


@pytest.mark.parametrize("username", list(AREAS))
def test_each_demo_level_logs_in_and_out(login, username):
    page = login(username)
    expect(page.locator("header.site .who")).to_contain_text(AREAS[username])
    if username in ("village11", "township1", "county1"):
        expect(page.locator("nav.tabs")).to_be_visible()
        expect(page.locator("nav.main a[href='/admin/audit']")).to_have_count(0)
    else:
        expect(page.locator("nav.tabs")).to_have_count(0)
        page.locator("nav.main a[href='/admin/audit']").click()
        expect(page.locator("p.verification.ok")).to_contain_text("校验通过")
    page.locator("header.site form[action='/logout'] button").click()
    page.wait_for_url("**/login")
    expect(page.locator("input[name=username]")).to_be_visible()
