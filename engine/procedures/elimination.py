"""风险消除: the risk elimination of a monitoring object. The subject is a household.

Mirrors identification: village proposal with a home check by at least two people →
village review → village publicity (5–7 days, a period) → township review → county
decision. The conditions of ``engine.elimination`` are checked when the village proposes
and again when the township and the county approve; any that fails refuses with its name.
An approved case marks the household 风险已消除 in the register with the date and mode.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import select

from .. import clock, elimination, households, register
from ..calendar import TIMEZONE
from ..directory import area_names
from ..errors import InvalidData, NotFound, SubjectBusy
from ..models import Case, CaseStatus
from .base import Fact, Procedure, Subject
from .generic import village_of
from .identification import _day, _label, _say

CASES = Case.__table__
# The steps whose approval re-checks the conditions.
APPROVALS = ("township_review", "county_decision")


@dataclass
class Elimination(Procedure):
    """Proposal and home check → village review and publicity → township → county."""

    name: str = "elimination"
    process_keys: tuple[str, ...] = ("risk_elimination",)
    subject_kind: str = "household"
    label: dict = field(default_factory=lambda: _label("风险消除", "Risk elimination"))
    outcomes: dict = field(default_factory=lambda: {
        "approved": _label("风险已消除", "Risk eliminated"),
        "rejected": _label("不予消除，继续监测", "Not eliminated: monitoring continues"),
        "objection_upheld": _label("异议成立，不予消除", "Objection upheld: not eliminated"),
    })
    stable_months: int = 6
    monitored_months: int = 6

    def configured(self, settings) -> "Elimination":
        """The deployment's months of stable income and of monitoring."""
        return replace(self, stable_months=settings.elimination_stable_months,
                       monitored_months=settings.elimination_monitored_months)

    def subject(self, conn, actor, data: dict, key: str) -> Subject:
        """A monitored household without a running case (the refusal names the case)."""
        household_id = data.get("household_id")
        if household_id is None:
            raise InvalidData("household_id is required: the household proposed",
                              {"household_id": "required"})
        household = households.find(conn, household_id)
        if household is None:
            raise NotFound(f"household {household_id} does not exist")
        village_of(conn, actor, household.village_code)
        running = conn.execute(select(CASES.c.id).where(
            CASES.c.subject_kind == self.subject_kind, CASES.c.subject_id == household.id,
            CASES.c.status == CaseStatus.RUNNING.value)).scalar()
        if running is not None:
            raise SubjectBusy(f"household {household.id} ({household.head_name}) has a "
                              f"running case {running}", running)
        monitored = register.monitoring_of(conn, household.id)
        if monitored is None or monitored.status != register.MONITORING:
            raise InvalidData(f"household {household.id} ({household.head_name}) is not a "
                              f"monitored monitoring object: only a monitored household's "
                              f"risk is eliminated",
                              {"conditions": "该户不是监测中的监测对象",
                               "conditions.monitored": "not monitored"})
        return Subject(self.subject_kind, household.id, household.village_code,
                       household.head_name)

    def _conditions(self, conn, household_id: int, now) -> list[elimination.Condition]:
        return elimination.check(conn, household_id, now.astimezone(TIMEZONE).date(),
                                 self.stable_months, self.monitored_months)

    def open(self, conn, actor, subject: Subject, data: dict, now) -> Subject:
        """Refuse a proposal that fails a condition; keep the conditions as proposed."""
        conditions = self._conditions(conn, subject.id, now)
        elimination.refuse_unless_met(conditions)
        data["conditions"] = [c.as_dict() for c in conditions]
        data["income_line"] = elimination.income_line(conn, subject.id)
        return subject

    def check(self, conn, parsed, case, step, data, before, now, locale) -> dict[str, str]:
        """Dates in order; publicity not back-dated; votes within the attendees."""
        today = now.astimezone(TIMEZONE).date()
        problems: dict[str, str] = {}
        if step == "village_review":
            attendees = data.get("attendees") or 0
            votes = (data.get("votes_for") or 0) + (data.get("votes_against") or 0)
            if votes > attendees:
                problems["votes_for"] = _say("votes", locale, votes=votes, attendees=attendees)
            meeting, checked = _day(data.get("meeting_date")), _day(before.get("check_date"))
            if meeting and checked and meeting < checked:
                problems["meeting_date"] = _say("before", locale, what="入户核实日期",
                                                what_en="home-check date", when=str(checked))
        elif step == "post_publicity":
            start = _day(data.get("publicity_start"))
            if start and start < today:
                problems["publicity_start"] = _say("before_today", locale,
                                                   when=today.isoformat())
        return problems

    def completing(self, conn, actor, case, step, data, now) -> None:
        """The township's and the county's approval re-check every condition."""
        if step in APPROVALS and data.get("decision") == "approve":
            elimination.refuse_unless_met(self._conditions(conn, case.subject_id, now))

    def closed(self, conn, case, now, data: dict) -> None:
        """An approved case marks the household 风险已消除 with the date and mode."""
        if case.outcome != "approved" or case.subject_id is None:
            return
        elimination.eliminate(conn, case.subject_id, case.id,
                              str(data.get("mode") or "assisted"), now)

    def facts(self, conn, case, data: dict) -> list[Fact]:
        """Household, mode, home check, publicity and each condition (as of now while the
        case runs, as proposed once it ended)."""
        household = households.find(conn, case.subject_id)
        village = area_names(conn, [case.area_code]).get(case.area_code, case.area_code)
        facts = [Fact("head_name", _label("户主", "Head of household"),
                      household.head_name if household else case.title),
                 Fact("id_number", _label("身份证号", "ID number"),
                      household.masked_id if household else ""),
                 Fact("village", _label("所在村", "Village"), village)]
        if data.get("mode"):
            facts.append(Fact("mode", _label("消除方式", "Mode"), data["mode"],
                              form_field="mode"))
        if data.get("checkers"):
            facts.append(Fact("checkers", _label("入户核实人员", "Home check by"),
                              "、".join(map(str, data["checkers"]))))
        if data.get("publicity_start") and data.get("publicity_last_day"):
            facts.append(Fact("publicity_period", _label("公示期", "Publicity period"),
                              f"{data['publicity_start']} 至 {data['publicity_last_day']}"))
        if case.status == CaseStatus.RUNNING.value and case.subject_id is not None:
            conditions = [c.as_dict() for c in self._conditions(conn, case.subject_id,
                                                                clock.utcnow())]
        else:
            conditions = data.get("conditions") or []
        for c in conditions:
            if c.get("key") not in elimination.LABELS:
                continue
            zh, en = elimination.LABELS[c["key"]]
            mark = ("✔ 符合", "✔ met") if c.get("ok") else ("✘ 不符合", "✘ not met")
            zh_text = f"{mark[0]}（{c.get('detail', '')}）"
            en_text = f"{mark[1]} ({c.get('detail_en') or c.get('detail', '')})"
            facts.append(Fact(f"condition_{c['key']}", {"zh_CN": f"条件：{zh}",
                                                         "en": f"Condition: {en}"},
                              zh_text, texts={"zh_CN": zh_text, "en": en_text}))
        return facts
