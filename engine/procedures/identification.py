"""识别纳入: the identification of monitoring objects. The subject is a household."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from .. import households
from ..directory import area_names
from ..errors import Conflict, InvalidData, NotFound
from ..models import Case, CaseStatus
from .base import Fact, Procedure, Subject
from .generic import village_of

CASES = Case.__table__


def _label(zh: str, en: str) -> dict:
    return {"zh_CN": zh, "en": en}


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
    })

    def subject(self, conn, actor, data: dict, key: str) -> Subject:
        """The household of ``household_id``; one running identification case at a time."""
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
            raise Conflict(f"household {household.id} ({household.head_name}) already has an "
                           f"open identification case {running}")
        return Subject(self.subject_kind, household.id, household.village_code,
                       household.head_name)

    def facts(self, conn, case, data: dict) -> list[Fact]:
        """Household, type, risks, dates and the eligibility table's recommendation."""
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
        if data.get("recommended_type"):
            categories = "、".join(str(c) for c in data.get("recommended_categories") or [])
            facts.append(Fact("recommendation", _label("研判建议", "Recommendation"),
                              data["recommended_type"] + (f"（{categories}）"
                                                          if categories else "")))
        return facts
