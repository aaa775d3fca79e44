"""The process trail, the approval sheet and the publicity notice, read back from the PDF."""
import re

import pytest
from sqlalchemy import update

import printouts
from engine import Forbidden
from engine.models import AuditEvent, Household

from print_support import ID_NUMBER, approve, run_case
from printouts.fonts import NoCJKFont, cjk_family
from support import rows, run_together, workers

from .conftest import BASE_URL, PRINTED_AT, keep, pdf_pages, pdf_text


@pytest.fixture
def approved(eng, identification):
    users = identification
    case_id = run_case(eng, users)
    approve(eng, users, case_id)
    return case_id


def trail_pdf(eng, case_id, who):
    printout = eng.printout(case_id, eng.find_user(who), "trail", PRINTED_AT)
    return printout, printouts.render_trail(printout, BASE_URL)


def test_trail_shows_steps_actors_masked_id_deadline_and_chain(eng, approved):
    printout, content = trail_pdf(eng, approved, "auditor")
    keep("trail.pdf", content)
    pages = pdf_pages(content)
    whole = "\n".join(pages)
    assert len(pages) == 2
    assert [f"第 {n} 页 共 2 页" in page for n, page in enumerate(pages, 1)] == [True, True]
    assert "示范县乡村振兴局" in whole and "案卷编号：第 1 号" in whole
    assert "监测对象识别纳入流程记录" in whole and "流程版本 v1" in whole
    for step in ("入户核实", "村级民主评议", "村内公示", "乡镇审核", "县级审批"):
        assert step in whole
    assert "东山镇 审核员" in whole and "县乡村振兴局 王科长" in whole
    assert "乡镇工作人员·东山镇" in whole
    assert "360799********4515" in whole and ID_NUMBER not in whole
    assert "因病、务工就业不稳" in whole
    assert "超期 2 天" in whole
    assert "退回补正" in whole and "补充收入证明 材料不全" in whole
    assert "定时触发" in whole and "签收" in whole
    head = printout.verification.head
    chain = whole.replace("\n", "")
    assert f"校验通过，共 13 条，末条摘要 {head}" in chain
    assert f"{BASE_URL}/audit/verify?case={approved}" in chain
    assert "打印人：审计员（auditor）" in whole and "打印时间：2026-12-05 10:00" in whole


def test_a_broken_chain_is_printed_as_broken(eng, approved):
    with eng.database.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.case_id == approved,
                                              AuditEvent.seq == 2).values(comment="改"))
    _, content = trail_pdf(eng, approved, "county1")
    whole = pdf_text(content).replace("\n", "")
    assert "校验未通过：event #2 (task_completed) was altered after it was written" in whole
    assert "校验通过" not in whole


def test_every_print_is_in_the_global_chain(eng, approved):
    trail_pdf(eng, approved, "auditor")
    eng.printout(approved, eng.find_user("township1"), "sheet", PRINTED_AT)
    printed = rows(eng, AuditEvent, AuditEvent.case_id.is_(None),
                   AuditEvent.event == "printed", order=AuditEvent.seq)
    assert [(p.actor_name, p.data["kind"], p.data["case"]) for p in printed] == [
        ("auditor", "trail", approved), ("township1", "sheet", approved)]
    assert eng.verify(None).ok


def test_concurrent_prints_are_each_recorded_once(eng, approved):
    engines = workers(eng, 4)
    who = ["auditor", "county1", "township1", "village11"]
    errors = run_together([lambda e=e, w=w: e.printout(approved, e.find_user(w), "trail",
                                                         PRINTED_AT)
                           for e, w in zip(engines, who)])
    assert errors == []
    printed = rows(eng, AuditEvent, AuditEvent.event == "printed")
    assert sorted(p.actor_name for p in printed) == sorted(who)
    assert eng.verify(None).ok and eng.verify(approved).ok


def test_printing_outside_ones_area_is_refused_and_not_recorded(eng, approved):
    before = len(rows(eng, AuditEvent, AuditEvent.case_id.is_(None)))
    with pytest.raises(Forbidden, match="outside village12"):
        eng.printout(approved, eng.find_user("village12"), "trail", PRINTED_AT)
    with pytest.raises(Forbidden):
        eng.publicity_notice(approved, eng.find_user("township2"), PRINTED_AT)
    assert len(rows(eng, AuditEvent, AuditEvent.case_id.is_(None))) == before


def test_approval_sheet_is_one_page_per_case_with_each_levels_opinion(eng, identification):
    users = identification
    first = approve(eng, users, run_case(eng, users, household_id=1))
    second = run_case(eng, users, household_id=2)
    auditor = eng.find_user("auditor")
    content = printouts.render_sheet(eng.printout(c, auditor, "sheet", PRINTED_AT)
                                     for c in (first, second))
    keep("sheet.pdf", content)
    pages = pdf_pages(content)
    assert len(pages) == 2
    assert all("监测对象识别纳入审批表" in page and "第 1 页" not in page for page in pages)
    one, two = pages
    assert "王建国" in one and "李秀英" in two
    assert [one.count(f"{level}\n负责人签字") for level in ("村级", "乡镇", "县级")] == [1, 1, 1]
    assert "村级民主评议：同意" in one and "乡镇审核：同意" in one and "县级审批：同意" in one
    assert "同意纳入" in one and "负责人签字" in one and "（盖章）" in one
    # The second case was sent back by the township: its sheet shows that decision.
    assert "乡镇审核：退回补正" in two and "县级审批：" not in two
    assert "县级\n负责人签字：＿＿＿＿＿＿ 年 月 日" in two  # left blank to sign by hand
    assert "360799********1224" in two


def test_publicity_notice_lists_the_households_publicised_together(eng, identification):
    users = identification
    first = run_case(eng, users, household_id=1, finish=False)
    run_case(eng, users, household_id=2, finish=False)
    run_case(eng, users, household_id=3, village="village12", finish=False)
    with eng.database.begin() as conn:
        conn.execute(update(Household).values(phone="13907991234"))
    notice = eng.publicity_notice(first, eng.find_user("village11"), PRINTED_AT)
    content = printouts.render_notice(notice)
    keep("notice.pdf", content)
    whole = pdf_text(content)
    flat = whole.replace("\n", "")
    assert "关于东山村拟纳入防返贫监测对象名单的公示" in flat
    assert "王建国" in whole and "李秀英" in whole and "张福生" not in whole
    assert "因病、务工就业不稳" in flat
    # the ways a risk is found, named as a sentence, not as a form's bracketed alternatives
    assert "经农户申报、干部排查或部门筛查预警发现，并经入户核实和村级民主评议" in flat
    assert "（或" not in flat
    assert "公示时间：2026年11月18日至2026年11月22日（共 5 天" in flat
    assert "公示地点：村委会公示栏" in flat and "东山村村民委员会" in flat
    assert "东山镇人民政府" in flat


def test_publicity_notice_never_shows_id_phone_bank_or_health_detail(eng, identification):
    users = identification
    case_id = run_case(eng, users, household_id=1, finish=False)
    with eng.database.begin() as conn:
        conn.execute(update(Household).values(phone="13907991234"))
    flat = pdf_text(printouts.render_notice(
        eng.publicity_notice(case_id, eng.find_user("village11"), PRINTED_AT))).replace(
        "\n", "")
    assert re.search(r"\d{6}\**\d{3}[\dX]", flat) is None  # no ID number, masked or not
    assert re.search(r"1\d{10}", flat) is None and "13907991234" not in flat
    for word in ("身份证", "电话号码", "手机", "银行", "账号", "大病", "住院", "残疾等级",
                 "医疗费用", "30000", "健康"):
        assert word not in flat


def test_a_clear_error_when_no_chinese_font_is_installed(monkeypatch):
    from printouts import fonts

    cjk_family.cache_clear()
    monkeypatch.setattr(fonts, "_installed", lambda: set())
    monkeypatch.delenv("DIXIAN_PRINT_FONT", raising=False)
    with pytest.raises(NoCJKFont, match="no Chinese font is installed.*fonts-noto-cjk"):
        cjk_family()
    cjk_family.cache_clear()


def test_the_font_is_a_real_cjk_font():
    cjk_family.cache_clear()
    assert "CJK" in cjk_family() or "Han" in cjk_family()
