"""项目库入库: project library intake. The subject is the project the case proposes.

村申报、乡审核、县审定: the village (or, for a project across villages, the township) proposes
from the start form, which records the project; township review, county appraisal (论证) and
county approval (审定) follow, then the announcement (公告) admits it to the library. A
returned proposal is revised in the ``revise_*`` steps, which change the record. No review
may pass a project without performance targets.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import policy, projects
from ..calendar import TIMEZONE
from ..directory import area_names
from ..errors import InvalidData
from ..models import CaseStatus, Level
from .base import Fact, Procedure, Subject
from .generic import case_area

REVISIONS = ("revise_village", "revise_township")
REVIEWS = ("township_review", "county_appraisal", "county_approval")
ENDED_STATUS = {CaseStatus.COMPLETED.value: "admitted", CaseStatus.REJECTED.value: "rejected",
                CaseStatus.CANCELLED.value: "withdrawn"}


def _label(zh: str, en: str) -> dict:
    return {"zh_CN": zh, "en": en}


TYPE_LABELS = {"industry": _label("产业发展", "Industry development"),
               "employment": _label("就业项目", "Employment"),
               "three_guarantees": _label("巩固三保障成果", "Consolidating the three guarantees"),
               "rural_construction": _label("乡村建设行动", "Rural construction"),
               "management_fee": _label("项目管理费", "Management fee")}


@dataclass
class ProjectIntake(Procedure):
    """Village (or township) proposal → township review → county appraisal → approval."""

    name: str = "project_intake"
    process_keys: tuple[str, ...] = ("project_intake",)
    subject_kind: str = "project"
    label: dict = field(default_factory=lambda: _label("项目库入库", "Project library intake"))
    outcomes: dict = field(default_factory=lambda: {
        "approved": _label("审定入库", "Admitted to the library"),
        "rejected": _label("未予入库", "Not admitted"),
    })

    def subject(self, conn, actor, data: dict, key: str) -> Subject:
        """The area the project belongs to: a village, or a township across villages."""
        cross = data.get("cross_village") is True
        code = data.get("area_code") or actor.area_code
        if cross and (not isinstance(code, str) or len(code) != Level.TOWNSHIP.code_length):
            raise InvalidData("a cross-village project starts at the township: give "
                              "area_code of the township", {"area_code": "not a township"})
        level = Level.TOWNSHIP if cross else Level.VILLAGE
        code = case_area(conn, actor, code, (level,))
        policy.require(policy.propose_project, actor, code)
        name = data.get("name")
        return Subject(self.subject_kind, None, code, name if isinstance(name, str) else "")

    def open(self, conn, actor, subject: Subject, data: dict, now) -> Subject:
        """Record the proposed project; the open campaign's intake date is the deadline
        (``intake_deadline`` in the start data, read by the start property
        ``deadline_date``)."""
        today = now.astimezone(TIMEZONE).date()
        campaign = projects.campaign_for(conn, data["year"], today)
        if campaign is not None:
            data["intake_deadline"] = campaign.intake_due.isoformat()
        project_id = projects.add(conn, actor, subject.area_code, data,
                                  campaign.id if campaign is not None else None, now)
        return Subject(self.subject_kind, project_id, subject.area_code, data["name"].strip())

    def completing(self, conn, actor, case, step: str, data: dict, now) -> None:
        """A revision changes the record; no review passes a project without targets."""
        if step in REVISIONS:
            projects.revise(conn, case.subject_id, data, now)
        elif step in REVIEWS and data.get("decision") == "approve":
            found = projects.row(conn, case.subject_id)
            if found is not None and not found.performance_targets:
                raise InvalidData(
                    "a project without performance targets cannot pass: return it to have "
                    "its targets set, or reject it",
                    {"decision": "the project has no performance targets (绩效目标)"})

    def ended(self, conn, case, now) -> None:
        """Admitted when the case ends approved; rejected or withdrawn otherwise."""
        status = ENDED_STATUS.get(case.status)
        if status is not None and case.subject_id is not None:
            projects.set_status(conn, case.subject_id, status, now)

    def facts(self, conn, case, data: dict) -> list[Fact]:
        """Name, type, area, year, budget, beneficiaries, targets and the mode."""
        found = projects.row(conn, case.subject_id)
        if found is None:
            return []
        names = area_names(conn, [found.area_code])
        kind = TYPE_LABELS.get(found.project_type, _label(found.project_type,
                                                          found.project_type))
        facts = [Fact("project_name", _label("项目名称", "Project"), found.name),
                 Fact("project_type", _label("项目类型", "Type"), kind["zh_CN"]),
                 Fact("area", _label("实施地点", "Where"),
                      names.get(found.area_code, found.area_code)
                      + ("（跨村）" if found.cross_village else "")),
                 Fact("year", _label("实施年度", "Year"), found.year),
                 Fact("budget_total", _label("总投资（元）", "Budget (yuan)"),
                      f"{projects.yuan(found.budget_total):,.2f}"),
                 Fact("beneficiaries", _label("受益户数（其中监测对象）",
                                              "Beneficiary households (monitoring objects)"),
                      f"{found.beneficiary_households}（{found.monitoring_households}）"),
                 Fact("benefit_mechanism", _label("联农带农机制", "How farmers benefit"),
                      found.benefit_mechanism),
                 Fact("performance_targets", _label("绩效目标", "Performance targets"),
                      list(found.performance_targets) or "—")]
        if found.emergency:
            facts.append(Fact("emergency", _label("办理方式", "Mode"),
                              "应急：边公示、边上报、边审核，优先安排资金"))
        return facts
