"""The administrator edits the identification process in the browser: the village publicity
goes from 5 to 7 days (the step's instructions in the BPMN editor, the form's minimum and
default in the form editor with its live preview), the draft is saved and deployed. New
cases then get 7 days, a case running on version 1 keeps 5, and the diff of the versions
shows the change on both diagrams and in the list. A second test deploys a model with a
step that has no level: the model check lists it and deploy refuses, marking the element.
Screenshots of the definitions page, the editor and the diff in both languages.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from playwright.sync_api import Page, expect

from engine import TIMEZONE, InvalidData
from engine.models import Timer

from support import rows

EDITOR_READY = "#editor[data-ready=true]"


def now() -> datetime:
    return datetime.now(timezone.utc)


def to_publicity(eng, users, household: int) -> int:
    """A case of a 东山村 household (1: 王建国, 2: 李秀英) advanced to 村内公示; returns
    that item's id."""
    at, day = now(), now().astimezone(TIMEZONE).date().isoformat()
    village = users["village11"]
    started = eng.start("monitoring_identification", village, {
        "household_id": household, "channel": "self_declaration", "discovery_date": day,
        "risk_types": ["01"], "commitment_signed": True, "green_channel": False}, at)
    done = eng.complete(started.items[0].id, village, {
        "checkers": ["王支书", "李队员"], "check_date": day, "income_per_head": 6000,
        "annual_household_income": 24000, "out_of_pocket_medical": 18000,
        "major_illness": True, "disability_grade": 0, "sudden_shock": False,
        "rigid_spending": 30000, "formerly_poor": False}, at)
    done = eng.complete(done.items[0].id, village, {
        "meeting_date": day, "attendees": 30, "votes_for": 28, "votes_against": 1,
        "decision": "approve"}, at)
    item, = done.items
    assert item.task_name == "post_publicity"
    return item.id


def post(eng, users, item_id: int, days: int) -> datetime:
    """Post the publicity today for ``days`` days; returns when its period ends."""
    eng.complete(item_id, users["village11"], {
        "publicity_start": now().astimezone(TIMEZONE).date().isoformat(),
        "publicity_place": "村委会公示栏", "publicity_days": days}, now())
    case_id = eng.task(item_id, users["admin"]).case.id
    return max(t.due_at for t in rows(eng, Timer, Timer.case_id == case_id,
                                      Timer.kind == "bpmn_timer"))


def open_editor(page: Page) -> None:
    page.goto("/admin/definitions")
    page.locator("#process-monitoring_identification a.button.primary").click()
    expect(page.locator(EDITOR_READY)).to_be_visible(timeout=20000)


def shoot(page: Page, folder, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def switch_language(page: Page) -> None:
    page.locator("form.lang button[name=locale]").click()
    page.wait_for_load_state()


def test_publicity_from_five_to_seven_days_in_the_editor(login, eng, users, screenshots):
    running = to_publicity(eng, users, 1)  # on version 1, before the change
    page = login("admin")
    page.goto("/admin/definitions")
    expect(page.locator("#process-monitoring_identification table.versions tbody tr")
           ).to_have_count(1)
    shoot(page, screenshots, "definitions-zh")

    open_editor(page)
    page.locator('.djs-element[data-element-id="post_publicity"]').click(force=True)
    expect(page.locator("#dixian-panel")).to_contain_text("post_publicity")
    expect(page.locator("#dixian-panel [data-property=form]")).to_have_value(
        "identification/post_publicity.json")
    page.locator(".bio-properties-panel-group-header", has_text="文档").click()
    documentation = page.locator("#bio-properties-panel-documentation")
    documentation.fill(documentation.input_value().replace("不少于 5 天", "不少于 7 天"))
    documentation.blur()
    shoot(page, screenshots, "editor-zh")

    page.locator("#dixian-panel button.link").click()  # 编辑此表单: the form tab opens
    expect(page.locator("#form-file")).to_have_value("identification/post_publicity.json")
    text = page.locator("#form-text")
    changed = (text.input_value().replace('"minimum": 5', '"minimum": 7')
               .replace('"default": 5', '"default": 7').replace("不少于 5 天", "不少于 7 天"))
    text.fill(changed)
    expect(page.locator("#form-preview input[name=publicity_days]")).to_have_value("7")
    shoot(page, screenshots, "editor-form-zh")

    page.locator("#save-draft").click()
    expect(page.locator("#status")).to_contain_text("草稿已保存")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#deploy").click()
    expect(page.locator("#editor[data-deployed='2']")).to_be_attached(timeout=20000)
    expect(page.locator("#status")).to_contain_text("已部署为第 2 版")

    # New cases use 7 days; the case running on version 1 keeps 5.
    fresh = to_publicity(eng, users, 2)
    assert eng.task(fresh, users["admin"]).form["schema"]["properties"][
        "publicity_days"]["minimum"] == 7
    try:
        post(eng, users, fresh, 5)
        raise AssertionError("5 days accepted on version 2")
    except InvalidData as err:
        assert "publicity_days" in err.errors
    start = now().astimezone(TIMEZONE).date()
    ends = datetime.combine(start, datetime.min.time(), TIMEZONE)
    assert post(eng, users, fresh, 7) == ends + timedelta(days=7)
    assert post(eng, users, running, 5) == ends + timedelta(days=5)

    page.goto("/admin/definitions")
    versions = page.locator("#process-monitoring_identification table.versions tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("系统管理员")
    shoot(page, screenshots, "definitions-2-zh")
    page.locator("#process-monitoring_identification a[href*='/diff?']").click()
    expect(page.locator("tr.diff-changed[data-element=post_publicity]")).to_contain_text(
        "不少于 7 天")
    expect(page.locator("text=schema.properties.publicity_days.minimum")).to_be_visible()
    expect(page.locator("#diagram-v2[data-ready=true]")).to_be_attached(timeout=20000)
    expect(page.locator('#diagram-v2 .djs-element[data-element-id="post_publicity"].dx-changed')
           ).to_be_attached()
    shoot(page, screenshots, "diff-zh")

    switch_language(page)
    expect(page.locator("h1")).to_contain_text("Compare versions")
    expect(page.locator("#diagram-v1[data-ready=true]")).to_be_attached(timeout=20000)
    shoot(page, screenshots, "diff-en")
    page.goto("/admin/definitions")
    expect(page.locator("h1")).to_have_text("Process definitions")
    shoot(page, screenshots, "definitions-en")
    open_editor(page)
    page.locator('.djs-element[data-element-id="post_publicity"]').click(force=True)
    expect(page.locator("#dixian-panel h2")).to_have_text("What Dixian reads")
    shoot(page, screenshots, "editor-en")


def test_deploy_refuses_a_step_without_level_and_marks_it(login, eng, users, screenshots):
    page = login("admin")
    page.goto("/admin/definitions/new")
    page.locator("input[name=key]").fill("trial_visit")
    page.locator("input[name=name]").fill("试点走访")
    page.locator("form button.primary").click()
    page.wait_for_url(re.compile(r"/admin/definitions/trial_visit/edit$"))
    expect(page.locator(EDITOR_READY)).to_be_visible(timeout=20000)
    expect(page.locator("#lint-list li.ok")).to_be_visible()
    # Nothing selected: the panel shows the process; clear its default level.
    page.locator("#dixian-panel select").first.select_option("")
    expect(page.locator("#lint-list li[data-rule=acting-level]")).to_contain_text("first_step")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#deploy").click()
    expect(page.locator("#status")).to_contain_text("element first_step")
    expect(page.locator('.djs-element[data-element-id="first_step"].dx-error')).to_be_attached()
    shoot(page, screenshots, "editor-refused-zh")
    assert [p.key for p in eng.process_versions(users["admin"]) if p.versions] == [
        "monitoring_identification"]
    # with a level chosen at deploy it goes through
    page.locator("#deploy-level").select_option("village")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#deploy").click()
    expect(page.locator("#editor[data-deployed='1']")).to_be_attached(timeout=20000)
