"""The words printouts use: levels, statuses, decisions, events, durations, deadlines, and a
short summary of the data a step submitted, labelled with its form's titles."""
from __future__ import annotations

from datetime import datetime, timedelta

from .calendar import TIMEZONE
from .deadlines import deadline_outcome

LEVEL_WORDS = {"village": "村级", "township": "乡镇", "county": "县级"}
STATUS_WORDS = {"running": "办理中", "completed": "已办结", "rejected": "不予通过",
                "cancelled": "已撤销"}
STATUS_WORDS_ITEM = {"open": "待办", "completed": "已办", "cancelled": "已取消"}
DECISIONS = {"approve": "同意", "reject": "不同意", "return": "退回补正",
             "upheld": "异议成立", "dismissed": "异议不成立"}
# Events printed beside the steps (a completion is a step row of its own). Unknown events
# print under their own name, so events added later (督办 and the like) are never dropped.
EVENT_WORDS = {
    "case_started": "立案", "claimed": "签收", "unclaimed": "退回待签收",
    "reassigned": "转办", "returned": "退回", "rejected": "驳回", "cancelled": "撤销",
    "taken_over": "接管",
    "case_ended": "办结", "timer_fired": "定时触发", "task_overdue": "环节逾期",
    "case_overdue": "整体超期", "attachment_added": "上传附件", "case_migrated": "迁移流程版本",
    "objection_registered": "登记异议", "supervised": "督办", "supervision": "督办",
    "supervision_issued": "督办", "urged": "催办", "copied": "抄送", "withdrawn": "撤回",
}
_SKIP = {"decision", "reason", "opinion"}
_MAX = 120


def duration_words(span: timedelta) -> str:
    """A duration as a county office writes it: 2天3小时, 5小时, 20分钟."""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分" if minutes else f"{hours}小时"
    return f"{minutes}分钟"


def _days_after(later: datetime, earlier: datetime) -> int:
    return (later.astimezone(TIMEZONE).date() - earlier.astimezone(TIMEZONE).date()).days


def deadline_words(case, now: datetime) -> str:
    """Whether the case met its time limit (by ``deadlines.deadline_outcome``, the rule of
    the case pages and the reports): 按期完成, 超期 N 天, 已超期 N 天, 剩余 N 天."""
    if case.deadline is None:
        return "无期限要求"
    outcome = deadline_outcome(case.deadline, case.deadline_met_at, case.ended_at,
                               case.status, now)
    if outcome.state == "on_time":
        return "按期完成"
    if outcome.state == "late":
        return f"超期 {outcome.days_late} 天"
    if outcome.state == "closed":
        return "未到审批环节即办结"
    if outcome.state == "overdue":
        return f"已超期 {outcome.days_late} 天"
    return f"剩余 {max(_days_after(case.deadline, now), 0)} 天"


def options(form: dict | None, field: str, values) -> list[str]:
    """The words of option codes of a form field (the codes when the form has none); the
    labels are keyed by the code as text, also for number codes (残疾等级 0 is "无")."""
    labels = ((form or {}).get("ui", {}).get("enum_labels", {}) or {}).get(field, {})
    return [str(labels.get(v, labels.get(str(v), v)))
            for v in (values if isinstance(values, list) else [values])]


def _value(form, name, value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(options(form, name, value))
    if isinstance(value, dict):
        return "…"
    return options(form, name, value)[0]


def summary(form: dict | None, data: dict, skip=_SKIP) -> str:
    """The submitted fields of a step in one short line, under their form titles."""
    properties = (form or {}).get("schema", {}).get("properties", {})
    parts = []
    for name, value in data.items():
        if name in skip or name not in properties or value in (None, "", []):
            continue
        title = str(properties[name].get("title", name)).split("（")[0]
        parts.append(f"{title}：{_value(form, name, value)}")
    text = "；".join(parts)
    return text if len(text) <= _MAX else text[:_MAX - 1] + "…"
