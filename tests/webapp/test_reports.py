"""The reports pages: the list, a report's chart data, tables and filters, the workbook
download, area scoping, bad filters next to their fields, both languages."""
from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook

from reports_support import cst, identification, monitored


@pytest.fixture
def decided(eng, user, clock):
    """On time in 东山村, late in 李家村, one open past the limit in 西河村 (now 12-05)."""
    people = {name: user(name) for name in ("village11", "village12", "village21",
                                             "township1", "township2", "county1")}
    cases = (identification(eng, people, 1, decided_at=cst(2026, 11, 24)),
             identification(eng, people, 3, decided_at=cst(2026, 12, 3)),
             identification(eng, people, 4))
    clock.move_to(cst(2026, 12, 5, 9))
    return cases


RANGE = "from=2026-11-01&to=2026-12-31"


def chart_of(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="report-chart-data">(.*?)</script>',
                      html, re.S)
    assert found, "no chart data in the page"
    return json.loads(found.group(1))


def test_the_reports_list(client, auth):
    auth.login("township1")
    page = client.get("/reports")
    assert page.status_code == 200
    for title in ("在办案件（按环节和层级）", "逾期事项", "时限办结情况（15天）", "项目和衔接资金", "每日工作动态"):
        assert title in page.text
    assert 'href="/reports"' in client.get("/").text      # in the navigation


def test_the_compliance_page(client, auth, decided):
    auth.login("county1")
    page = client.get(f"/reports/compliance?{RANGE}")
    assert page.status_code == 200
    html = page.text
    assert "<td>东山镇</td><td class=num>2</td><td class=num>1</td><td class=num>1</td>" \
           "<td class=num>50.0%</td>" in html
    assert f'<a href="/cases/{decided[1]}">{decided[1]}</a>' in html     # the late case
    assert chart_of(html) == {
        "kind": "stacked", "categories": ["东山镇", "西河乡"], "target": None, "unit": "",
        "targetLabel": "", "series": [{"name": "按时办结", "values": [1.0, 0.0]},
                                      {"name": "超期办结", "values": [1.0, 0.0]},
                                      {"name": "在办已超期", "values": [0.0, 1.0]}]}
    assert "/vendor/echarts/dist/echarts.min.js" in html
    assert 'href="/reports/compliance.xlsx?from=2026-11-01&amp;to=2026-12-31"' in html


def test_the_workbook_download(client, auth, decided):
    auth.login("county1")
    answer = client.get(f"/reports/compliance.xlsx?{RANGE}")
    assert answer.status_code == 200
    assert answer.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in answer.headers["Content-Disposition"]
    rows = [list(r) for r in load_workbook(io.BytesIO(answer.data)).active.iter_rows(
        values_only=True)]
    assert ["东山镇", 2, 1, 1, 50.0, 12.5, 17, 0, 0, 0] in rows
    assert ["合计", 3, 1, 1, 50.0, 12.5, 17, 0, 1, 0] in rows


def test_a_township_sees_only_its_villages(client, auth, decided):
    auth.login("township1")
    html = client.get(f"/reports/compliance?{RANGE}").text
    assert "<td>东山村</td>" in html and "<td>李家村</td>" in html and "西河" not in html
    assert client.get(f"/reports/compliance?area=360799200&{RANGE}").status_code == 403
    assert client.get("/reports/compliance.xlsx?area=360799200").status_code == 403


def test_a_village_sees_only_itself(client, auth, decided):
    auth.login("village12")
    html = client.get(f"/reports/overdue?{RANGE}").text
    assert re.findall(r'<option value="(\d+)"', html) == ["360799100002"]
    assert "东山村" not in html
    assert client.get("/reports/stages?area=360799100001").status_code == 403


def test_bad_filters_are_shown_next_to_their_fields(client, auth, decided):
    auth.login("county1")
    page = client.get("/reports/compliance?from=2026-13-01")
    assert page.status_code == 400
    assert re.search(r'id="from" value="2026-13-01" aria-invalid=true>\s*'
                     r'<span class="error">[^<]+</span>', page.text)
    assert client.get("/reports/compliance?from=2026-12-09&to=2026-12-01").status_code == 400
    assert client.get("/reports/compliance.xlsx?from=x").status_code == 400
    assert client.get("/reports/nothing").status_code == 404


def test_every_report_page_renders_in_english(client, auth, decided):
    auth.login("county1")
    client.post("/language", data={"locale": "en", "next": "/reports"})
    for name, title in [("stages", "Open cases by step and level"),
                        ("trend", "Cases over time (by month)"),
                        ("overdue", "Overdue work by level, township and village"),
                        ("compliance", "Time-limit compliance (15 days)"),
                        ("funds", "Projects and connection funds"),
                        ("daily", "Daily work update"),
                        ("monitoring", "Monitoring objects"),
                        ("measures", "Aid measures by kind"),
                        ("visits", "Visits and condolences")]:
        page = client.get(f"/reports/{name}?{RANGE}")
        assert page.status_code == 200 and title in page.text, name
        assert "Download Excel" in page.text


def test_echarts_is_served_locally(client):
    with client.get("/vendor/echarts/dist/echarts.min.js") as answer:
        assert answer.status_code == 200 and b"echarts" in answer.data[:5000]
    assert client.get("/vendor/echarts/package.json").status_code == 404


def test_the_daily_update_asks_for_one_day(client, auth):
    auth.login("county1")
    html = client.get("/reports/daily").text
    assert 'id="from"' not in html and '<label for="to">日期</label>' in html
    assert 'id="from"' in client.get("/reports/trend").text


JAN = "area=360799&from=2027-01-01&to=2027-01-16"


@pytest.fixture
def visited(eng, user, clock):
    people = {name: user(name) for name in ("village11", "county1")}
    monitored(eng, 1, "360799100001", "脱贫不稳定户", measures="industry")
    eng.record_visit(people["village11"], 1, dict(
        visited_on="2027-01-05", visitors="李明", income_change="stable",
        spending_change="stable", food_clothing=True, education=True, medical=True,
        housing=True, safe_water=True), now=cst(2027, 1, 5, 18))
    clock.move_to(cst(2027, 1, 16, 9))


def test_the_visits_page_and_its_hand_entered_figures(client, auth, visited):
    auth.login("county1")
    html = client.get(f"/reports/visits?{JAN}").text
    assert "走访慰问情况统计表" in html and "尚未填报" in html
    assert 'href="/reports/visits/entry?area=360799&amp;from=2027-01-01&amp;to=2027-01-16"' \
        in html and "手工填报" in html
    form = client.get(f"/reports/visits/entry?{JAN}")
    assert form.status_code == 200 and 'name="version" value="0"' in form.text
    assert 'name="province_party_who"' in form.text and "慰问金（万元）" in form.text
    fields = {"area": "360799", "from": "2027-01-01", "to": "2027-01-16", "version": "0",
              "money": "x", "meetings": "2"}
    refused = client.post("/reports/visits/entry", data=fields)
    assert refused.status_code == 400 and 'class="error"' in refused.text
    saved = client.post("/reports/visits/entry", data=dict(fields, money="1.5"))
    assert saved.status_code == 302
    assert "第 1 版" in client.get(f"/reports/visits?{JAN}").text
    # A save over version 0, now that version 1 exists: refused, the newer figures shown.
    late = client.post("/reports/visits/entry", data=dict(fields, money="9"))
    assert late.status_code == 409 and 'value="1.5"' in late.text
    assert 'name="version" value="1"' in late.text
    workbook = client.get(f"/reports/visits.xlsx?{JAN}")
    sheet = load_workbook(io.BytesIO(workbook.data))["走访慰问情况统计表"]
    assert sheet["A12"].value == 1.5 and sheet["E6"].value == "1户4人"


def test_a_township_reads_but_does_not_enter_the_county_figures(client, auth, visited, user):
    user("township1")
    auth.login("township1")
    html = client.get("/reports/visits/entry?from=2027-01-01&to=2027-01-16").text
    assert 'name="version"' in html and " disabled" not in html   # its own area: may enter
    assert client.get(f"/reports/visits/entry?{JAN}").status_code == 403  # the county's
    assert client.post("/reports/visits/entry", data={
        "area": "360799", "from": "2027-01-01", "to": "2027-01-16", "version": "0",
        "money": "1"}).status_code == 403


def test_monitoring_and_measures_pages(client, auth, visited):
    auth.login("county1")
    html = client.get("/reports/monitoring?from=2027-01-01&to=2027-01-16").text
    assert "脱贫不稳定户" in html and "<td>东山镇</td><td class=num>1</td>" in html
    assert "产业帮扶" in client.get("/reports/measures?from=2027-01-01&to=2027-01-16").text
