"""The publicity notice of a risk elimination, read back from the PDF: a risk-elimination
notice (title, opening, columns 户主姓名/所在村组/监测对象类型/消除方式/消除理由), both
households publicised that day, the period, where and how to object, the committee, and
never an ID number, a phone, a bank account or a health detail."""
import re
from datetime import datetime, timedelta

from sqlalchemy import update

import printouts
from elimination_support import (BPMN, MEMBERS, MONTHS, _complete, cst, propose, take_in,
                                 through_publicity, visit)
from engine.models import Household

from .conftest import PRINTED_AT, keep, pdf_text


def two_households_in_publicity(eng, users, deploy) -> int:
    """Households 1 (帮扶消除) and 2 (自然消除) of 东山村 publicised from 2026-11-21."""
    deploy(BPMN)
    for household in (1, 2):
        take_in(eng, household)
        eng.set_members(household, users["village11"], MEMBERS, now=cst(2026, 11, 20, 2))
        for month in MONTHS:
            visit(eng, users, f"{month}-15", household=household)
    first = through_publicity(eng, users)
    now = cst(2026, 11, 20, 11)
    second = propose(eng, users, now, household_id=2, mode="natural").case.id
    _complete(eng, users, second, "village_review", "village11", {
        "decision": "approve", "meeting_date": "2026-11-20", "attendees": 20, "votes_for": 19,
        "votes_against": 1}, now)
    _complete(eng, users, second, "post_publicity", "village11", {
        "publicity_start": "2026-11-21", "publicity_place": "村务公开栏", "publicity_days": 5},
        now + timedelta(hours=1))
    with eng.database.begin() as conn:
        conn.execute(update(Household).values(phone="13907991234"))
    return first


def test_an_elimination_notice_reads_as_a_risk_elimination_notice(eng, users, deploy):
    case_id = two_households_in_publicity(eng, users, deploy)
    content = printouts.render_notice(
        eng.publicity_notice(case_id, eng.find_user("village11"), PRINTED_AT))
    keep("elimination-notice.pdf", content)
    whole = pdf_text(content)
    flat = whole.replace("\n", "").replace(" ", "")
    assert "关于东山村拟消除风险的防返贫监测对象名单的公示" in flat
    assert "拟纳入" not in flat and "纳入防返贫监测对象" not in flat
    assert "返贫致贫风险已稳定消除" in flat and "以下2户" in flat
    for column in ("户主姓名", "所在村组", "监测对象类型", "消除方式", "消除理由"):
        assert column in flat
    assert "王建国" in whole and "李秀英" in whole
    assert "帮扶消除" in flat and "自然消除" in flat and "脱贫不稳定户" in flat
    assert "经帮扶，收入持续稳定高于监测线、大额支出已解决" in flat
    assert "公示时间：2026年11月21日至2026年11月25日（共5天" in flat
    assert "公示地点：村务公开栏" in flat
    assert "对名单有异议的" in flat and "东山镇人民政府" in flat and "12317" in flat
    assert "东山村村民委员会" in flat


def test_an_elimination_notice_never_shows_id_phone_bank_or_health_detail(eng, users,
                                                                         deploy):
    case_id = two_households_in_publicity(eng, users, deploy)
    flat = pdf_text(printouts.render_notice(
        eng.publicity_notice(case_id, eng.find_user("village11"), PRINTED_AT))).replace(
        "\n", "")
    assert re.search(r"\d{6}\**\d{3}[\dX]", flat) is None  # no ID number, masked or not
    assert re.search(r"1\d{10}", flat) is None and "13907991234" not in flat
    for word in ("身份证", "电话", "手机", "银行", "账号", "大病", "住院", "残疾", "健康",
                 "务工收入稳定", "9800"):
        assert word not in flat
