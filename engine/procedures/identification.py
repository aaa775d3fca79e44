"""识别纳入: the identification of monitoring objects. The subject is a household.

Besides the subject and summary, the procedure holds the rules a county is judged by: dates
that hold together (discovery ≤ home check ≤ review ≤ publicity start, publicity not
back-dated), a discovery date neither in the future nor too old, a reason for a late entry
(迟报原因) when the remaining days cannot fit the step budget, and the register of
monitoring objects updated when a case ends approved.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import select

from .. import households, register
from ..calendar import TIMEZONE
from ..directory import area_names
from ..errors import InvalidData, NotFound, SubjectBusy
from ..models import Case, CaseStatus
from .base import Fact, Procedure, Subject
from .generic import village_of

CASES = Case.__table__
REJECTIONS = ("rejected", "objection_upheld")

# The steps of the shortest path to the county's decision and the publicity between them.
BUDGET_STEPS = ("home_check", "village_review", "post_publicity", "publicity",
                "township_review", "county_approval")
PUBLICITY_FORM = "identification/post_publicity.json"

MESSAGES = {
    "future": ("不能晚于今天", "cannot be in the future"),
    "too_old": ("早于 {days} 天前：发现日期不能早于 {first}", "more than {days} days ago: "
                "the discovery date cannot be before {first}"),
    "late": ("剩余 {left} 天，不足最短办理时间 {need} 天（{budget}），请填写迟报原因",
             "{left} days are left, fewer than the shortest path's {need} days ({budget}): "
             "give the reason for the late entry"),
    "before": ("不能早于{what}（{when}）", "cannot be before the {what_en} ({when})"),
    "before_today": ("不能早于登记当天（{when}）：公示不能补登", "cannot be before the day it "
                     "is entered ({when}): publicity is not back-dated"),
    "votes": ("同意票与反对票之和（{votes}）不能超过参会人数（{attendees}）",
              "votes for and against ({votes}) cannot exceed the attendees ({attendees})"),
}
WHAT = {"discovery_date": ("发现日期", "discovery date"),
        "check_date": ("入户核实日期", "home-check date"),
        "meeting_date": ("民主评议日期", "review meeting date")}


def _label(zh: str, en: str) -> dict:
    return {"zh_CN": zh, "en": en}


def _say(key: str, locale: str, **values) -> str:
    zh, en = MESSAGES[key]
    return (en if locale == "en" else zh).format(**values)


def _day(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def budget(parsed) -> list[tuple[str, int]]:
    """The step limits on the shortest path to the county's decision, with the minimum
    publicity days of the publicity form: what must fit inside the overall limit."""
    steps = {name: info.due_days or 0 for name, info in parsed.steps.items()}
    form = parsed.forms.get(PUBLICITY_FORM, {})
    publicity = (form.get("schema", {}).get("properties", {}).get("publicity_days", {})
                 .get("minimum", 5))
    return [(name, publicity if name == "publicity" else steps.get(name, 0))
            for name in BUDGET_STEPS]


@dataclass
class Identification(Procedure):
    """Declaration → home check → village review and publicity → township → county."""

    name: str = "identification"
    process_keys: tuple[str, ...] = ("monitoring_identification",)
    subject_kind: str = "household"
    label: dict = field(default_factory=lambda: _label("监测对象识别纳入",
                                                       "Monitoring-object identification"))
    outcomes: dict = field(default_factory=lambda: {
        "approved": _label("纳入监测对象", "Taken in as monitoring object"),
        "rejected": _label("不予纳入", "Not taken in"),
        "objection_upheld": _label("异议成立，不予纳入", "Objection upheld: not taken in"),
        "rejected_aid_given": _label("不予纳入（已先行帮扶）", "Not taken in, aid given"),
        "aid_given": _label("已先行帮扶", "Aid given"),
    })
    province: str = ""
    medical_warning_line: float = 0.0
    discovery_max_age_days: int = 90

    def configured(self, settings) -> "Identification":
        """The deployment's province, medical warning line and discovery-date limit."""
        return replace(self, province=settings.province,
                       medical_warning_line=settings.medical_warning_line,
                       discovery_max_age_days=settings.discovery_max_age_days)

    def subject(self, conn, actor, data: dict, key: str) -> Subject:
        """The household of ``household_id``: refused while it has a running case or is
        monitored (the refusal names the case)."""
        household_id = data.get("household_id")
        if household_id is None:
            raise InvalidData("household_id is required: the household that is declared",
                              {"household_id": "required"})
        household = households.find(conn, household_id)
        if household is None:
            raise NotFound(f"household {household_id} does not exist")
        given = data.get("area_code")
        if given not in (None, "", household.village_code):
            raise InvalidData(f"household {household.id} lives in village "
                              f"{household.village_code}, not {given}",
                              {"area_code": "not the household's village"})
        village_of(conn, actor, household.village_code)
        running = conn.execute(select(CASES.c.id).where(
            CASES.c.subject_kind == self.subject_kind, CASES.c.subject_id == household.id,
            CASES.c.status == CaseStatus.RUNNING.value,
            CASES.c.process_key.in_({key, *self.process_keys}))).scalar()
        if running is not None:
            raise SubjectBusy(f"household {household.id} ({household.head_name}) already has "
                              f"an open identification case {running}", running)
        monitored = register.monitoring_of(conn, household.id)
        if monitored is not None and monitored.status == register.MONITORING:
            raise SubjectBusy(f"household {household.id} ({household.head_name}) is already "
                              f"a monitoring object (case {monitored.identified_case_id})",
                              monitored.identified_case_id)
        return Subject(self.subject_kind, household.id, household.village_code,
                       household.head_name)

    def open(self, conn, actor, subject: Subject, data: dict, now) -> Subject:
        """The province and medical warning line the monitoring line table reads."""
        data["province"] = self.province or subject.area_code[:2]
        data["medical_warning_line_setting"] = self.medical_warning_line or None
        return subject

    def check(self, conn, parsed, case, step, data, before, now, locale) -> dict[str, str]:
        """Dates in order, publicity not back-dated, votes within the attendees, and the
        discovery date's limits with the late-entry reason (``before["deadline"]``: the
        overall limit the start data gives)."""
        today = now.astimezone(TIMEZONE).date()
        problems: dict[str, str] = {}

        def not_before(field_name: str, earlier: str, source: dict) -> None:
            mine, theirs = _day(data.get(field_name)), _day(source.get(earlier))
            if mine and theirs and mine < theirs:
                zh, english = WHAT[earlier]
                problems.setdefault(field_name, _say("before", locale, what=zh,
                                                     what_en=english, when=theirs.isoformat()))

        if step == "start":
            self._check_discovery(parsed, data, before.get("deadline"), today, locale,
                                  problems)
        elif step == "home_check":
            not_before("check_date", "discovery_date", before)
        elif step == "village_review":
            not_before("meeting_date", "check_date", before)
            attendees = data.get("attendees") or 0
            votes = (data.get("votes_for") or 0) + (data.get("votes_against") or 0)
            if votes > attendees:
                problems["votes_for"] = _say("votes", locale, votes=votes, attendees=attendees)
        elif step == "post_publicity":
            start = _day(data.get("publicity_start"))
            if start and start < today:
                problems["publicity_start"] = _say("before_today", locale,
                                                   when=today.isoformat())
            not_before("publicity_start", "meeting_date", before)
        return problems

    def _check_discovery(self, parsed, data, deadline, today, locale, problems) -> None:
        found = _day(data.get("discovery_date"))
        if found is None:
            return
        if found > today:
            problems["discovery_date"] = _say("future", locale)
            return
        first = today - timedelta(days=self.discovery_max_age_days)
        if found < first:
            problems["discovery_date"] = _say("too_old", locale,
                                              days=self.discovery_max_age_days,
                                              first=first.isoformat())
            return
        if deadline is None:
            return
        steps = budget(parsed)
        need = sum(days for _, days in steps)
        last_day = deadline.astimezone(TIMEZONE).date()
        left = (last_day - today).days
        # A definition whose own budget exceeds its limit is not the user's lateness: only
        # the days lost between discovery and entry call for a reason.
        need = min(need, (last_day - found).days)
        if left < need and not str(data.get("late_reason") or "").strip():
            names = {n: (parsed.steps[n].title if n in parsed.steps else "公示")
                     for n, _ in steps}
            text = " + ".join(f"{names[n] if locale != 'en' else n} {d}" for n, d in steps)
            problems["late_reason"] = _say("late", locale, left=max(left, 0), need=need,
                                           budget=text)

    def final_outcome(self, outcomes: list[str]) -> str:
        """Aid first, paperwork after: a rejected case whose aid branch was confirmed ends
        as "not taken in, aid given"; the aid branch alone never decides the outcome."""
        decided = [o for o in outcomes if o != "aid_given"]
        outcome = decided[-1] if decided else ""
        if outcome in REJECTIONS and "aid_given" in outcomes:
            return "rejected_aid_given"
        return outcome

    def closed(self, conn, case, now, data: dict) -> None:
        """An approved case takes the household into the register of monitoring objects."""
        if case.outcome != "approved" or case.subject_id is None:
            return
        household = households.find(conn, case.subject_id)
        if household is not None:
            register.take_in(conn, household, case.id, data, now)

    def facts(self, conn, case, data: dict) -> list[Fact]:
        """Household, type, risks, dates, late reason, publicity and the recommendation."""
        household = households.find(conn, case.subject_id)
        village = area_names(conn, [case.area_code]).get(case.area_code, case.area_code)
        facts = [Fact("head_name", _label("户主", "Head of household"),
                      household.head_name if household else case.title),
                 Fact("id_number", _label("身份证号", "ID number"),
                      household.masked_id if household else ""),
                 Fact("village", _label("所在村", "Village"), village)]
        kind = data.get("object_type") or data.get("recommended_type")
        if kind:
            facts.append(Fact("monitoring_type", _label("监测对象类型", "Type"), kind))
        if data.get("risk_types"):
            facts.append(Fact("risk_types", _label("风险类型", "Risk types"),
                              data["risk_types"], form_field="risk_types"))
        facts.append(Fact("discovery_date", _label("发现日期", "Discovered on"),
                          case.deadline_from))
        if data.get("late_reason"):
            facts.append(Fact("late_reason", _label("迟报原因", "Reason for late entry"),
                              data["late_reason"]))
        if data.get("publicity_start") and data.get("publicity_last_day"):
            facts.append(Fact("publicity_period", _label("公示期", "Publicity period"),
                              f"{data['publicity_start']} 至 {data['publicity_last_day']}"))
        if data.get("income_line") is not None and data.get("line_source"):
            facts.append(Fact("income_line", _label("收入监测线", "Income monitoring line"),
                              f"{data['income_line']}（{data['line_source']}）"))
        if data.get("recommended_type"):
            categories = "、".join(str(c) for c in data.get("recommended_categories") or [])
            facts.append(Fact("recommendation", _label("研判建议", "Recommendation"),
                              data["recommended_type"] + (f"（{categories}）"
                                                          if categories else "")))
        return facts
