"""The project library pages: proposing a project, the library's filters, the Excel export,
a project's funds (allocations, payments, the refused over-payment), the funds overview and
the campaign dates."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from engine.project_models import FundPayment, Project
from projects_support import admit, proposal
from support import ROOT, count

from .conftest import START

FIELDS = {"name": "东山村光伏电站", "project_type": "industry", "year": "2026",
          "content": "建设村级光伏电站 100 千瓦", "budget_central": "500000",
          "beneficiary_households": "40", "beneficiary_people": "150",
          "monitoring_households": "5", "benefit_mechanism": "发电收益设公益岗位",
          "performance_targets": "村集体年增收 8 万元\n设公益岗位 10 个"}


@pytest.fixture
def intake(eng):
    eng.deploy_files([ROOT / "workflows" / "project_intake.bpmn"], None, START)
    return eng


def post_form(client, url, fields, token_of):
    page = client.get(url)
    return client.post(url, data={**fields, "csrf_token": token_of(page.text)})


def test_village_proposes_a_project_from_the_page(client, auth, intake, token_of):
    auth.login("village11")
    page = client.get("/projects/new")
    assert page.status_code == 200 and "联农带农机制" in page.text
    assert 'name="area_code"' not in page.text  # a village proposes for itself
    response = post_form(client, "/projects/new", FIELDS, token_of)
    assert response.status_code == 302
    project = intake.library(intake.find_user("village11")).projects[0]
    assert response.headers["Location"].endswith(f"/projects/{project.id}")
    assert (project.name, project.area_code, project.status) == (
        "东山村光伏电站", "360799100001", "proposed")
    assert project.performance_targets == ("村集体年增收 8 万元", "设公益岗位 10 个")
    shown = client.get(f"/projects/{project.id}")
    assert "村级民主决策" in shown.text and "500,000.00" in shown.text


def test_a_bad_proposal_is_refused_field_by_field_and_nothing_is_written(
        client, auth, intake, token_of):
    auth.login("village11")
    bad = {**FIELDS, "name": "长" * 101, "budget_central": "-5", "year": "1999"}
    response = post_form(client, "/projects/new", bad, token_of)
    assert response.status_code == 400
    for field in ("name", "budget_central", "year"):
        assert f'id="field-{field}"' in response.text
    # one alert, the error summary, linking each wrong field; the fields marked invalid
    assert response.text.count('role="alert"') == 1
    for field in ("name", "budget_central", "year"):
        assert f'<li><a href="#f-{field}">' in response.text
    assert response.text.count('aria-invalid="true"') >= 3
    assert count(intake, Project) == 0


def test_township_proposes_across_villages_and_the_county_does_not_propose(
        client, auth, intake, token_of):
    auth.login("township1")
    page = client.get("/projects/new")
    assert 'value="360799100"' in page.text and 'value="360799200"' not in page.text
    unchosen = post_form(client, "/projects/new", FIELDS, token_of)
    assert unchosen.status_code == 400 and count(intake, Project) == 0
    assert 'id="field-area_code"' in unchosen.text and "必填" in unchosen.text
    response = post_form(client, "/projects/new", {**FIELDS, "area_code": "360799100",
                                                   "name": "东山镇跨村产业路"}, token_of)
    assert response.status_code == 302
    [project] = intake.library(intake.find_user("county1")).projects
    assert project.cross_village and project.area_code == "360799100"
    auth.logout()
    auth.login("county1")
    assert client.get("/projects/new").status_code == 403
    assert "Propose a project" not in client.get("/projects").text


def test_library_filters_and_areas(client, auth, intake, user):
    admitted = admit(intake, user, START)
    intake.start("project_intake", user("village21"),
                 proposal(name="西河村就业帮扶车间", project_type="employment"), START)
    auth.login("county1")
    everything = client.get("/projects").text
    assert "东山村茶叶加工车间" in everything and "西河村就业帮扶车间" in everything
    industry = client.get("/projects?type=industry").text
    assert "东山村茶叶加工车间" in industry and "西河村就业帮扶车间" not in industry
    by_area = client.get("/projects?area=360799200").text
    assert "西河村就业帮扶车间" in by_area and "东山村茶叶加工车间" not in by_area
    assert "西河村" not in client.get("/projects?status=admitted").text.split("<tbody>")[1]
    assert client.get("/projects?type=nonsense").status_code == 400
    assert client.get("/projects?area=123456").status_code == 400
    auth.logout()
    auth.login("village21")
    mine = client.get("/projects").text
    assert "西河村就业帮扶车间" in mine and "东山村茶叶加工车间" not in mine
    assert client.get(f"/projects/{admitted}").status_code == 403


def test_excel_export_holds_the_rows_and_headers(client, auth, intake, user):
    admit(intake, user, START, emergency=True, emergency_cause="epidemic")
    intake.start("project_intake", user("village12"),
                 proposal(name="李家村道路硬化", project_type="rural_construction"), START)
    auth.login("county1")
    response = client.get("/projects/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("巩固拓展脱贫攻坚成果和乡村振兴项目库")
    assert rows[1][:10] == ("序号", "项目名称", "项目类型", "乡镇", "村", "是否跨村", "实施年度",
                            "建设内容及规模", "主管部门", "总投资（万元）")
    body = {r[1]: r for r in rows[2:]}
    assert set(body) == {"东山村茶叶加工车间", "李家村道路硬化"}
    tea = dict(zip(rows[1], body["东山村茶叶加工车间"]))
    assert (tea["项目类型"], tea["乡镇"], tea["村"], tea["总投资（万元）"],
            tea["中央衔接资金（万元）"], tea["入库状态"], tea["应急优先"]) == (
        "产业发展", "东山镇", "东山村", 100, 80, "已入库", "是")
    assert tea["绩效目标"] == "带动 60 户户均增收 2000 元；村集体年增收 5 万元"
    filtered = load_workbook(io.BytesIO(client.get(
        "/projects/export.xlsx?type=rural_construction").data)).active
    assert [r[1] for r in filtered.iter_rows(min_row=3, values_only=True)] == ["李家村道路硬化"]


def test_county_allocates_and_pays_and_an_over_payment_is_refused(
        client, auth, intake, user, token_of):
    project_id = admit(intake, user, START)
    release = intake.release_funds(user("county1"), "示财农〔2025〕3号", "central", 1_000_000,
                                   START.date(), START)
    auth.login("county1")
    url = f"/projects/{project_id}"
    token = token_of(client.get(url).text)
    response = client.post(f"{url}/allocations", data={
        "csrf_token": token, "release_id": release.id, "amount": "600000"})
    assert response.status_code == 302
    response = client.post(f"{url}/payments", data={
        "csrf_token": token, "kind": "advance", "amount": "400000"})
    assert response.status_code == 400
    assert "开工预付款不得超过已安排资金的 50%（300,000.00 元）" in response.text
    assert count(intake, FundPayment) == 0
    response = client.post(f"{url}/payments", data={
        "csrf_token": token, "kind": "advance", "amount": "300000", "note": "开工预付"})
    assert response.status_code == 302
    shown = client.get(url).text
    assert "600,000.00" in shown and "300,000.00" in shown and "开工预付" in shown
    auth.logout()
    auth.login("village11")
    page = client.get(url)
    assert page.status_code == 200 and "Record a payment" not in page.text
    refused = client.post(f"{url}/payments", data={
        "csrf_token": token_of(page.text), "kind": "progress", "amount": "1", "progress": "90"})
    assert refused.status_code == 403 and count(intake, FundPayment) == 1


def test_funds_page_shows_the_industry_share_and_idle_funds(client, auth, intake, user,
                                                            token_of):
    county = user("county1")
    tea = admit(intake, user, START)
    road = admit(intake, user, START, name="通组路", project_type="rural_construction")
    old = intake.release_funds(county, "示财农〔2025〕1号", "central", 1_000_000,
                               START.date() - timedelta(days=40), START)
    intake.allocate(county, tea, old.id, 400_000, now=START)
    intake.allocate(county, road, old.id, 500_000, now=START)
    auth.login("county1")
    page = client.get("/funds?year=2025").text
    # 400,000 of 900,000 on industry: 44.4%, below 55%.
    assert "<strong>44.4%</strong>" in page and 'indicator short' in page
    # Released 40 days ago, 100,000 not assigned: flagged.
    idle = page.split('class="notice idle"')[1].split("</section>")[0]
    assert "示财农〔2025〕1号" in idle and "100,000.00" in idle and "40" in idle
    page = client.get("/funds").text
    response = client.post("/funds/releases", data={
        "csrf_token": token_of(page), "document": "示财农〔2025〕9号", "source": "county",
        "amount": "250000", "released_on": START.date().isoformat()})
    assert response.status_code == 302
    assert "示财农〔2025〕9号" in client.get("/funds?year=2025").text


def test_campaign_dates_are_set_by_the_county(client, auth, intake, token_of):
    auth.login("township1")
    page = client.get("/projects/campaigns")
    assert page.status_code == 200 and 'name="intake_due"' not in page.text
    refused = client.post("/projects/campaigns", data={
        "csrf_token": token_of(page.text), "name": "x", "first_year": "2026",
        "last_year": "2026", "guide_due": "2025-07-15", "intake_due": "2025-10-31",
        "entry_due": "2025-11-30"})
    assert refused.status_code == 403
    auth.logout()
    auth.login("county1")
    response = post_form(client, "/projects/campaigns", {
        "name": "2026—2028年项目库", "first_year": "2026", "last_year": "2028",
        "guide_due": "2025-07-15", "intake_due": "2025-10-31", "entry_due": "2025-11-30"},
        token_of)
    assert response.status_code == 302
    assert "2026—2028年项目库" in client.get("/projects/campaigns").text
