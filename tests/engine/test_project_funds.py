"""Connection funds: releases, allocations to admitted projects, payments under the 30–50%
advance rule, the industry share against 55%, funds idle over 30 days, the audit of every
change, and two clerks paying at once."""
from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine import Settings, build_engine
from engine.errors import Conflict, DixianError, Forbidden, InvalidData, PaymentRefused
from engine.models import AuditEvent
from engine.project_models import FundAllocation, FundPayment, FundRelease
from engine.funds import payment_problem
from projects_support import INTAKE, proposal
from projects_support import admit as carry_through
from support import NOW, count
from conftest import CHEAP_HASHER

TODAY = date(2026, 11, 20)


def admit(eng, users, **changes) -> int:
    """An admitted project of village11 (its intake carried through at NOW)."""
    return carry_through(eng, users.__getitem__, NOW, **changes)


def race(eng_count: int, db_url, db_engine, act) -> list[str]:
    """Run ``act(engine)`` at once in threads with separate Engines; what each got."""
    engines = [build_engine(Settings(database_url=db_url), database=db_engine,
                            password_hasher=CHEAP_HASHER) for _ in range(eng_count)]
    barrier, results = threading.Barrier(eng_count), []

    def run(engine):
        barrier.wait()
        try:
            act(engine)
            results.append("done")
        except DixianError as err:
            results.append(type(err).__name__)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(results)


@pytest.fixture
def funded(eng, users, deploy):
    """An admitted engineering project with 600,000 yuan allocated from a release."""
    deploy(INTAKE)
    county = users["county1"]
    project_id = admit(eng, users)
    release = eng.release_funds(county, "示财农〔2026〕12号", "central", 1_000_000,
                                date(2026, 11, 1), NOW)
    eng.allocate(county, project_id, release.id, 600_000, now=NOW)
    return users, project_id, release


def test_payment_rule():
    fen = 100
    allocated = 600_000 * fen

    def rule(*args):
        found = payment_problem(*args)
        return found and found[0]

    assert rule(True, allocated, 0, 0, "advance", 300_000 * fen, None) is None
    assert payment_problem(True, allocated, 0, 0, "advance", 300_001 * fen, None)[:2] == (
        "advance_max", {"limit": "300000.00", "total": "300001.00"})
    assert rule(True, allocated, 0, 0, "advance", 100_000 * fen, None) == "advance_min"
    assert rule(True, allocated, 0, 0, "progress", fen, None) == "progress_missing"
    # 50% advanced: progress payments start once progress passes 50%.
    paid = 300_000 * fen
    assert rule(True, allocated, paid, paid, "progress", fen, 40) == "progress_cap"
    assert rule(True, allocated, paid, paid, "progress", 60_000 * fen, 60) is None
    assert rule(True, allocated, allocated, paid, "progress", fen, 100) == "over_allocation"
    assert rule(False, allocated, 0, 0, "payment", allocated, None) is None
    assert rule(False, allocated, 0, 0, "advance", fen, None) == "not_engineering"
    assert rule(True, 0, 0, 0, "advance", fen, None) == "no_allocation"


def test_over_payment_is_refused_with_the_reason_and_nothing_written(eng, funded):
    users, project_id, _ = funded
    county = users["county1"]
    before = count(eng, FundPayment), count(eng, AuditEvent)
    with pytest.raises(PaymentRefused, match="at most 50% of the allocation") as refused:
        eng.pay(county, project_id, "advance", 350_000, now=NOW)
    assert (refused.value.rule, refused.value.values) == (
        "advance_max", {"limit": "300000.00", "total": "350000.00"})
    assert refused.value.errors == {"amount": "advance_max"}
    assert (count(eng, FundPayment), count(eng, AuditEvent)) == before
    eng.pay(county, project_id, "advance", 240_000, now=NOW)  # 40%
    with pytest.raises(InvalidData, match="at 30% progress at most 240000.00 yuan"):
        eng.pay(county, project_id, "progress", 10_000, progress=30, now=NOW)
    eng.pay(county, project_id, "progress", 120_000, progress=60, now=NOW)
    with pytest.raises(InvalidData, match="more than the 600000.00 yuan allocated"):
        eng.pay(county, project_id, "progress", 300_000, progress=100, now=NOW)
    done = eng.project_funds(project_id, county)
    assert (done.allocated, done.paid, done.advanced) == (Decimal("600000.00"),
                                                          Decimal("360000.00"),
                                                          Decimal("240000.00"))
    assert [p.kind for p in done.payments] == ["advance", "progress"]


def test_only_admitted_projects_get_funds_and_only_the_county_manages_them(eng, funded):
    users, project_id, release = funded
    pending = eng.start("project_intake", users["village11"], proposal(name="待审项目"), NOW)
    with pytest.raises(Conflict, match="only projects admitted"):
        eng.allocate(users["county1"], pending.case.subject_id, release.id, 1000, now=NOW)
    for who in ("village11", "township1", "auditor"):
        with pytest.raises(Forbidden):
            eng.pay(users[who], project_id, "advance", 200_000, now=NOW)
        with pytest.raises(Forbidden):
            eng.release_funds(users[who], "x", "central", 1, TODAY, NOW)
    with pytest.raises(InvalidData, match="left to assign"):
        eng.allocate(users["county1"], project_id, release.id, 400_001, now=NOW)
    with pytest.raises(InvalidData):
        eng.release_funds(users["county1"], "", "central", -5, TODAY, NOW)
    with pytest.raises(InvalidData, match="future"):
        eng.release_funds(users["county1"], "x", "central", 1, TODAY + timedelta(days=3), NOW)


def test_industry_share_against_55_percent_and_idle_funds(eng, funded):
    users, industry_id, release = funded
    county = users["county1"]
    road_id = admit(eng, users, name="东山村通组路硬化", project_type="rural_construction",
                    engineering=True)
    eng.allocate(county, road_id, release.id, 400_000, now=NOW)
    overview = eng.funds_overview(county, 2026, NOW)
    assert (overview.allocated, overview.industry) == (Decimal("1000000.00"),
                                                       Decimal("600000.00"))
    assert overview.industry_share == Decimal("60.0") and overview.meets_target
    late = eng.release_funds(county, "示财农〔2026〕20号", "county", 500_000,
                             date(2026, 10, 1), NOW)
    eng.allocate(county, road_id, late.id, 200_000, now=NOW)
    overview = eng.funds_overview(county, 2026, NOW)
    assert overview.industry_share == Decimal("50.0") and not overview.meets_target
    # Released 50 days ago and 300,000 still unassigned: flagged. The first is used up.
    assert [(r.document, r.remaining, r.idle_days) for r in overview.idle] == [
        ("示财农〔2026〕20号", Decimal("300000.00"), 50)]
    fresh = eng.release_funds(county, "示财农〔2026〕21号", "central", 10, TODAY, NOW)
    assert not fresh.idle
    # Funds of another county's year are not counted.
    assert eng.funds_overview(county, 2025, NOW).industry_share is None


def test_every_funds_change_is_audited(eng, funded):
    users, project_id, release = funded
    eng.pay(users["county1"], project_id, "advance", 200_000, note="开工预付", now=NOW)
    with eng.database.connect() as conn:
        events = [r.event for r in conn.execute(select(AuditEvent.event).where(
            AuditEvent.case_id.is_(None)).order_by(AuditEvent.seq))]
    assert events[-3:] == ["funds_released", "funds_allocated", "payment_recorded"]
    assert eng.verify(None).ok


def test_two_clerks_paying_at_once_never_pass_the_limit(eng, funded, db_url, db_engine):
    users, project_id, _ = funded
    results = race(4, db_url, db_engine, lambda engine: engine.pay(
        users["county1"], project_id, "advance", 200_000, now=NOW))
    # 200,000 is 33%: one advance fits under 50%, a second would be 67%.
    assert results == ["PaymentRefused"] * 3 + ["done"]
    assert count(eng, FundPayment) == 1


def test_two_clerks_allocating_one_release_at_once(eng, funded, db_url, db_engine):
    users, project_id, release = funded
    results = race(3, db_url, db_engine, lambda engine: engine.allocate(
        users["county1"], project_id, release.id, 300_000, now=NOW))
    assert results == ["InvalidData", "InvalidData", "done"]
    assert count(eng, FundAllocation) == 2 and count(eng, FundRelease) == 1


def test_campaign_dates_are_checked_and_audited(eng, users):
    county = users["county1"]
    with pytest.raises(InvalidData, match="guide comes before the intake"):
        eng.set_campaign(county, "2023—2025年项目库", 2023, 2025, date(2022, 10, 31),
                         date(2022, 7, 15), date(2022, 11, 30), NOW)
    with pytest.raises(Forbidden):
        eng.set_campaign(users["township1"], "x", 2023, 2025, date(2022, 7, 15),
                         date(2022, 10, 31), date(2022, 11, 30), NOW)
    view = eng.set_campaign(county, "2023—2025年项目库", 2023, 2025, date(2022, 7, 15),
                            date(2022, 10, 31), date(2022, 11, 30), NOW)
    again = eng.set_campaign(county, "2023—2025年项目库", 2023, 2025, date(2022, 7, 15),
                             date(2022, 10, 28), date(2022, 11, 30), NOW)
    assert again.id == view.id and [c.intake_due for c in eng.campaigns()] == [
        date(2022, 10, 28)]
