"""Risk elimination in the web UI: the conditions on the household's page and the proposal
page, a refused proposal naming the failed condition, the county's rollback with a reason,
the national entry on the case page and in the list, and the export download scoped to
the user's area."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import openpyxl
import pytest
from sqlalchemy import update

from elimination_support import PROPOSAL, eliminated, ready_household
from engine.register_models import MonitoringObject, NationalEntry
from support import ROOT, count

OBJECTS = MonitoringObject.__table__
NOW = datetime(2026, 11, 20, 2, tzinfo=timezone.utc)


@pytest.fixture
def ready(eng, clock, deploy):
    clock.move_to(NOW)
    users = {u.username: u for u in eng.users()}
    ready_household(eng, users, deploy)
    return users


def test_conditions_are_shown_and_a_failed_one_refuses_the_proposal(client, auth, eng, ready):
    auth.login("village11")
    page = client.get("/households/1")
    assert page.status_code == 200
    assert "风险消除条件" in page.text and page.text.count('class="condition ok"') == 6
    assert "/households/1/declare/risk_elimination" in page.text
    assert "/households/1/declare/monitoring_identification" not in page.text
    with eng.transaction() as tx:
        tx.conn.execute(update(OBJECTS).values(aid_measures=""))
    form = client.get("/households/1/declare/risk_elimination")
    assert 'data-condition="aid_measure"' in form.text and "登记中没有帮扶措施" in form.text
    data = {"mode": "assisted", "checkers": "李书记\n王队员", "check_date": "2026-11-19",
            "income_per_head": "9800", "findings": "务工收入稳定"}
    refused = client.post("/households/1/declare/risk_elimination", data=data)
    assert refused.status_code == 400 and "至少落实一项帮扶措施" in refused.text
    with eng.transaction() as tx:
        tx.conn.execute(update(OBJECTS).values(aid_measures="employment"))
    started = client.post("/households/1/declare/risk_elimination", data=data)
    assert started.status_code == 302, started.text
    case = client.get(started.headers["Location"])
    assert "条件：纳入监测满 6 个月" in case.text and "✔ 符合" in case.text


def test_county_rolls_back_with_a_reason(client, auth, eng, ready):
    case_id = eliminated(eng, ready)
    auth.login("township1")
    assert "回退" not in client.get("/households/1").text.split('id="elimination"')[1]
    assert client.post("/households/1/rollback", data={"reason": "x"}).status_code == 403
    auth.logout()
    auth.login("county1")
    page = client.get("/households/1")
    assert "风险已消除" in page.text and "帮扶消除" in page.text
    assert client.post("/households/1/rollback", data={"reason": " "}).status_code == 302
    assert eng.register_entry(1, ready["county1"]).monitoring.status == "eliminated"
    done = client.post("/households/1/rollback", data={"reason": "突发重病，返贫风险未消除"})
    assert done.status_code == 302
    page = client.get(done.headers["Location"])
    assert "监测中（风险未消除）" in page.text and "突发重病，返贫风险未消除" in page.text
    assert f'href="/cases/{case_id}">#{case_id}' in page.text


def test_national_entry_and_export(client, auth, eng, ready):
    case_id = eliminated(eng, ready)
    auth.login("county1")
    listing = client.get("/national")
    assert f"#{case_id}" in listing.text and "标记为已录入" in listing.text
    marked = client.post(f"/cases/{case_id}/national-entry", data={"note": "全国系统编号 123"})
    assert marked.status_code == 302 and count(eng, NationalEntry) == 1
    case = client.get(f"/cases/{case_id}")
    assert "已录入" in case.text and "全国系统编号 123" in case.text
    again = client.post(f"/cases/{case_id}/national-entry", data={"note": ""})
    assert again.status_code == 302 and count(eng, NationalEntry) == 1
    assert "已录入全国系统" in client.get("/households/1").text
    download = client.post("/national/export.xlsx", data={"start": "", "end": ""})
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "记录类型" and [r[1] for r in rows[1:]] == [1]
    assert rows[1][-1] == "是"
    assert client.get("/national/export.xlsx").status_code == 405
    auth.logout()
    auth.login("township2")
    download = client.post("/national/export.xlsx", data={"start": "", "end": ""})
    assert len(list(openpyxl.load_workbook(io.BytesIO(download.data)).worksheets[0]
                    .iter_rows())) == 1
    assert f"#{case_id}" not in client.get("/national").text
    assert client.post(f"/cases/{case_id}/national-entry", data={}).status_code == 403
    auth.logout()
    auth.login("auditor")
    assert client.get("/national").status_code == 403


def test_the_proposal_page_speaks_of_risk_elimination_in_both_languages(client, auth, ready):
    auth.login("village11")
    assert "提出风险消除" in client.get("/households/1").text
    page = client.get("/households/1/declare/risk_elimination")
    assert "<h1>提出风险消除" in page.text and "提交风险消除申请" in page.text
    assert "新增申报" not in page.text and "登记申报" not in page.text
    client.post("/language", data={"locale": "en"})
    page = client.get("/households/1/declare/risk_elimination")
    assert "<h1>Propose risk elimination" in page.text
    assert "Submit the risk elimination proposal" in page.text
    assert "New declaration" not in page.text and "Register declaration" not in page.text
    data = {"mode": "assisted", "checkers": "李书记\nWang", "check_date": "2026-11-19",
            "income_per_head": "9800", "findings": "stable work"}
    started = client.post("/households/1/declare/risk_elimination", data=data,
                          follow_redirects=True)
    assert "Risk elimination proposed: case" in started.text


def test_the_case_summary_words_the_conditions_in_the_ui_language(client, auth, eng, ready):
    case_id = eng.start("risk_elimination", ready["village11"], dict(PROPOSAL)).case.id
    auth.login("village11")
    chinese = client.get(f"/cases/{case_id}").text
    assert "条件：收入持续稳定高于监测线" in chinese and "✔ 符合（" in chinese
    client.post("/language", data={"locale": "en"})
    english = client.get(f"/cases/{case_id}").text
    assert "Condition: Income stably above the line" in english
    assert "✔ met (every month 2026-06 to 2026-11 at or above the line" in english
    assert "符合" not in english and "每月走访" not in english
    assert "Risk elimination of monitoring objects" in english
    assert "监测对象风险消除" not in english
    api = client.get(f"/api/v1/cases/{case_id}")
    assert api.status_code == 200, api.text
    texts = {f["key"]: f["text"] for f in api.json["facts"]}
    assert texts["condition_labour_capacity"] == "✔ met (2 member(s) able to work)"


def test_a_case_of_a_process_without_a_household_procedure_shows_its_name(
        client, auth, eng, ready, deploy, tmp_path):
    """A county's own copy of the elimination process (another key, no procedure listing
    it) shows on the household's page by its deployed name, not its key."""
    source = (ROOT / "workflows/risk_elimination.bpmn").read_text(encoding="utf-8")
    copy = tmp_path / "county_elimination.bpmn"
    copy.write_text(source.replace('"risk_elimination"', '"county_elimination"')
                    .replace('name="监测对象风险消除"', 'name="县级风险消除（试行）"'),
                    encoding="utf-8")
    deploy(copy, forms_dir=str(ROOT / "forms"))
    case_id = eng.start("county_elimination", ready["village11"], dict(PROPOSAL)).case.id
    auth.login("village11")
    page = client.get("/households/1").text
    row = page.split(f"#{case_id} ")[1].split("</tr>")[0]
    assert "县级风险消除（试行）" in row and "county_elimination" not in row


def test_the_case_page_prints_the_risk_elimination_notice(client, auth, eng, ready):
    from elimination_support import through_publicity

    case_id = through_publicity(eng, ready)
    auth.login("village11")
    assert f"/cases/{case_id}/print/publicity" in client.get(f"/cases/{case_id}").text
    printed = client.post(f"/cases/{case_id}/print/publicity")
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"


def test_county_staff_propose_without_choosing_a_village(client, auth, eng, ready):
    """The case belongs to the household's village: the proposal asks for no village."""
    auth.login("county1")
    page = client.get("/households/1/declare/risk_elimination")
    assert 'name="area_code"' not in page.text and "区划代码" not in page.text
    data = {"mode": "natural", "checkers": "李书记\n王队员", "check_date": "2026-11-19",
            "income_per_head": "9800", "findings": "务工收入稳定"}
    started = client.post("/households/1/declare/risk_elimination", data=data)
    assert started.status_code == 302, started.text
    case_id = int(started.headers["Location"].rsplit("/", 1)[1])
    assert eng.case(case_id).case.area_code == "360799100001"


def test_no_second_proposal_is_offered_while_one_runs(client, auth, eng, ready):
    auth.login("village11")
    assert "/households/1/declare/risk_elimination" in client.get("/households/1").text
    eng.start("risk_elimination", ready["village11"], dict(PROPOSAL))
    assert "/households/1/declare/risk_elimination" not in client.get("/households/1").text


def test_a_case_without_a_time_limit_shows_no_deadline_row(client, auth, eng, ready):
    """Risk elimination has no 15-day limit: its summary names none (not an empty '—')."""
    case_id = eng.start("risk_elimination", ready["village11"], dict(PROPOSAL)).case.id
    auth.login("village11")
    page = client.get(f"/cases/{case_id}").text
    assert "条件：收入持续稳定高于监测线" in page
    assert "办结时限" not in page
