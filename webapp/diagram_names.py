"""Names on the process diagram in the user's language.

A deployed BPMN names its lanes by level key (``village``, ``township``, ``county``) and its
steps, gateways, events and flows in Chinese. Before the diagram script draws it, the
``name`` attributes of the BPMN elements are rewritten: lanes named by a level (key or
Chinese) get the level's name in the UI language, and on English pages the Chinese names
this module knows get their English names (an unknown name is shown as it is). Nothing
else in the XML changes, so what the engine runs and what the diagram shows stay the same
process.
"""
from __future__ import annotations

import re
from html import unescape
from xml.sax.saxutils import escape

from flask_babel import gettext as _

BPMN_MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"

LEVEL_KEYS = {"village": "village", "村": "village", "村级": "village",
              "township": "township", "乡镇": "township", "乡镇级": "township",
              "county": "county", "县": "county", "县级": "county"}

# The names of the shipped workflows (workflows/*.bpmn) in English; the steps with a form
# use the form's English title, as the inbox and the task pages do.
NAMES_EN = {
    # monitoring_identification
    "防返贫监测对象识别纳入": "Identification of monitoring objects",
    "监测对象识别纳入": "Identification of monitoring objects",
    "发现风险线索/农户申报": "Risk found / household declares",
    "是否走绿色通道": "Green channel?", "绿色通道": "Green channel",
    "认定程序": "Regular",
    "入户核实": "Home check", "确定研判年度": "Set the assessment year",
    "查询监测标准": "Look up the lines", "确定监测标准": "Pick the lines",
    "研判类型与类别": "Assess type and categories",
    "形成研判建议": "Suggest type",
    "村级民主评议": "Village democratic review", "评议结果": "Review result",
    "村级评议不予通过": "Not approved by the village review", "村内公示": "Village publicity",
    "计算公示期满时间": "Publicity end date",
    "公示期异议登记": "Objection during publicity", "公示期满": "Publicity over",
    "有异议": "Objection lodged", "异议调查": "Objection investigation",
    "异议是否成立": "Objection founded?", "异议成立": "Objection founded",
    "异议成立，不予纳入": "Objection founded, not included",
    "异议不成立，继续公示": "Objection unfounded, publicity continues",
    "先行帮扶": "Immediate aid", "乡镇确认先行帮扶": "Township confirms aid",
    "村级确认帮扶到户": "Village confirms aid received",
    "先行帮扶已确认": "Aid confirmed", "先行帮扶已落实": "Aid delivered",
    "乡镇审核": "Township review", "审核结果": "Review result",
    "乡镇审核不予通过": "Not approved by the township",
    "县级审批": "County approval", "审批结果": "Approval result",
    "县级审批不予通过": "Not approved by the county",
    "纳入监测对象": "Included as monitoring object", "结果公告": "Result announcement",
    "纳入后工作": "Work after inclusion", "明确帮扶责任人": "Assign responsible helper",
    "制定帮扶计划": "Aid plan", "纳入后工作完成": "Work after inclusion done",
    "通过": "Approved", "不予通过": "Not approved", "退回修改": "Return for correction",
    # risk_elimination
    "防返贫监测对象风险消除": "Risk elimination of monitoring objects",
    "监测对象风险消除": "Risk elimination of monitoring objects",
    "村级提出风险消除申请": "Village proposes risk elimination",
    "异议成立，不予消除": "Objection founded, not eliminated",
    "县级审定": "County decision", "县级审定不予通过": "Not approved by the county",
    "风险已消除": "Risk eliminated",
    # project_intake
    "巩固拓展脱贫攻坚成果和乡村振兴项目库入库": "Project library intake",
    "项目库入库": "Project library intake", "项目申报": "Project proposal",
    "申报主体": "Who proposes", "村申报": "Village proposes",
    "跨村项目（乡镇申报）": "Cross-village project (township proposes)",
    "跨村": "Across villages", "跨村·应急": "Across villages, emergency",
    "村级民主决策": "Village decision", "村级决策结果": "Village decision result",
    "村级不同意申报": "Village declines", "不同意": "Declined",
    "重新民主决策": "Decide again", "准备办理": "Prepare",
    "应急": "Emergency", "常规：先公示": "Regular: publicity first",
    "应急：边公示、边上报、边审核": "Emergency: publicity, reporting and review at once",
    "应急：公示、审核、论证均完成": "Emergency: publicity, review and appraisal done",
    "公示主体": "Who publishes", "村级公示期满": "Village publicity over",
    "计算村级公示期满": "Village publicity end date",
    "村级公示后": "After village publicity", "乡镇公示": "Township publicity",
    "计算乡镇公示期满": "Township publicity end date",
    "乡镇公示期满": "Township publicity over", "乡镇公示后": "After township publicity",
    "报乡镇审核": "To township review", "乡镇审核结果": "Township review result",
    "乡镇审核不通过": "Not approved by the township", "报县级论证": "To county appraisal",
    "县级部门联合论证": "County joint appraisal", "论证结果": "Appraisal result",
    "论证不通过": "Not passed by the appraisal",
    "县级领导小组审定": "County leading group approval", "审定结果": "Approval result",
    "审定不通过": "Not approved by the leading group", "入库": "Admitted to the library",
    "项目库公告": "Library announcement", "公示完成": "Publicity done",
    "修改申报材料（村）": "Revise the proposal (village)",
    "修改申报材料（乡镇）": "Revise the proposal (township)",
    "修改后报回": "Resubmit after revision", "回乡镇审核": "Back to township review",
    "回论证": "Back to appraisal", "退回村修改": "Return to the village",
    "退回乡镇": "Return to the township", "退回修改（跨村）": "Return (across villages)",
    "退回重新论证": "Return for new appraisal", "应急退回村": "Emergency: return to village",
    "应急退回乡镇": "Emergency: return to township", "通过（应急）": "Approved (emergency)",
    "不通过": "Not passed", "汇合": "Join", "边公示": "Publicity", "边上报": "Reporting",
    "边审核": "Review",
}

_TAG = re.compile(r"<(?:(?P<prefix>[\w.-]+):)?(?P<kind>[\w.-]+)(?P<attrs>\s[^<>]*?)?(?P<end>/?)>")
_NAME = re.compile(r'(\sname=")([^"]*)(")')
_XMLNS = re.compile(r'\sxmlns(?::([\w.-]+))?="([^"]*)"')


def level_name(level: str) -> str:
    """A lane's level in the UI language."""
    return {"village": _("Village level"), "township": _("Township level"),
            "county": _("County level")}[level]


def display_name(name: str, kind: str, locale: str) -> str:
    """What the diagram shows for an element ``name`` of a BPMN element ``kind``."""
    stripped = name.strip()
    if kind in ("lane", "participant") and stripped in LEVEL_KEYS:
        return level_name(LEVEL_KEYS[stripped])
    if locale == "en":
        return NAMES_EN.get(stripped, name)
    return name


def localize(xml: str, locale: str) -> str:
    """The BPMN XML with its elements' names as the diagram shows them in ``locale``."""
    prefixes = {prefix or "" for prefix, uri in _XMLNS.findall(xml) if uri == BPMN_MODEL}
    if not prefixes:
        return xml

    def tag(match: re.Match) -> str:
        if (match.group("prefix") or "") not in prefixes or not match.group("attrs"):
            return match.group(0)
        kind = match.group("kind")

        def name(found: re.Match) -> str:
            shown = display_name(unescape(found.group(2)), kind, locale)
            return found.group(1) + escape(shown, {'"': "&quot;"}) + found.group(3)
        return _NAME.sub(name, match.group(0), count=1)
    return _TAG.sub(tag, xml)
