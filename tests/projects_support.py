"""Helpers for the project library tests: a proposal, completing steps, firing publicity."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from engine.models import WorkItem
from support import NOW

INTAKE = "workflows/project_intake.bpmn"
TODAY = date(2026, 11, 20)


def proposal(**changes) -> dict:
    """A valid village proposal (an industry project with targets)."""
    data = {"name": "东山村茶叶加工车间", "project_type": "industry", "year": 2027,
            "content": "新建茶叶加工车间 600 平方米，购置揉捻机 4 台",
            "engineering": True, "budget_central": 800000, "budget_county": 200000,
            "beneficiary_households": 60, "beneficiary_people": 210,
            "monitoring_households": 8, "benefit_mechanism": "脱贫户务工、订单收购、村集体分红",
            "performance_targets": ["带动 60 户户均增收 2000 元", "村集体年增收 5 万元"],
            "emergency": False, "cross_village": False}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def open_items(eng, case_id) -> dict[str, int]:
    """Open work items of a case: task name -> item id."""
    with eng.database.connect() as conn:
        rows = conn.execute(select(WorkItem.id, WorkItem.task_name).where(
            WorkItem.case_id == case_id, WorkItem.status == "open").order_by(WorkItem.id))
        return {r.task_name: r.id for r in rows}


def publicity(start: date = TODAY, days: int = 10) -> dict:
    return {"publicity_start": start.isoformat(), "publicity_days": days,
            "publicity_place": "村务公开栏"}


VILLAGE_DECISION = {"meeting_kind": "representatives", "meeting_date": "2026-11-20",
                    "attendees": 35, "votes_for": 33, "votes_against": 1, "decision": "approve"}
CHECKS = {k: True for k in ("authentic", "necessary", "feasible", "cost_reasonable",
                            "funding_clear", "farmers_benefit", "targets_set")}
TOWNSHIP_APPROVE = {**CHECKS, "decision": "approve"}
APPRAISAL_APPROVE = {"appraisal_date": "2026-11-20", "departments": ["县农业农村局", "县财政局"],
                     "decision": "approve"}
COUNTY_APPROVE = {"meeting_date": "2026-11-20", "document": "示乡振组〔2026〕5号",
                  "decision": "approve"}
ANNOUNCE = {"announcement_date": "2026-11-20", "announcement_place": "县政府网站"}


def after_publicity(days: int = 10):
    """A moment after a publicity period that started on TODAY has ended."""
    return NOW + timedelta(days=days, hours=1)


def on(data: dict, day: date) -> dict:
    """Step data with its dates moved to ``day``."""
    return {k: day.isoformat() if k.endswith(("_date", "_start")) else v for k, v in data.items()}


def admit(eng, user_of, now, **changes) -> int:
    """Carry a proposal of village11 through intake at ``now``; the admitted project's id."""
    from engine import TIMEZONE

    day = now.astimezone(TIMEZONE).date()
    started = eng.start("project_intake", user_of("village11"), proposal(**changes), now)
    case_id = started.case.id
    steps = [("village_decision", "village11", VILLAGE_DECISION),
             ("village_publicity", "village11", publicity(day)),
             ("township_review", "township1", TOWNSHIP_APPROVE),
             ("township_publicity", "township1", publicity(day)),
             ("county_appraisal", "county1", APPRAISAL_APPROVE),
             ("county_approval", "county1", COUNTY_APPROVE), ("announcement", "county1", ANNOUNCE)]
    for name, user, data in steps:
        items = open_items(eng, case_id)
        if name not in items:
            eng.fire_due(now + timedelta(days=11))
            items = open_items(eng, case_id)
        if name not in items:  # not on this mode's path (emergency: no township publicity)
            continue
        eng.complete(items[name], user_of(user), on(data, day), now)
    return started.case.subject_id
