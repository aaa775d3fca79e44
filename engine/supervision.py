"""督办: an overdue step is supervised by the levels above it, as its definition says.

The rule is read from the BPMN (``escalation`` on the user task, else on the start event):
the supervising levels in order, e.g. ``township,county``; only levels above the step's own
level apply, so a village step goes to the township and then the county, a township step
straight to the county, and a county step to nobody. ``escalation_days`` (default 2) and
``escalation_day_kind`` say how long one 督办 may stay open before it is itself overdue and
the next level gets one. ``escalation`` ``none`` turns it off for a step.

When the work item's own due time passes (its ``task_due`` timer), the first level gets a
督办 item; when that 督办's due time passes with the step still open (a ``supervision_due``
timer), the next level gets one. A 督办 is unique per (work item, level), and everything
happens under the case's lock, so it is never doubled. When the step is completed or leaves
(returned, the case ended or was cancelled), the case's write closes its open 督办 with the
outcome (``done`` or ``cancelled``), and the trail records it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update

from . import notifying, policy
from .calendar import TIMEZONE
from .models import ItemStatus, Level, WorkItem
from .sql import Prepared
from .supervision_models import Supervision

SUPERVISIONS, ITEMS = Supervision.__table__, WorkItem.__table__
ORDER = [Level.VILLAGE.value, Level.TOWNSHIP.value, Level.COUNTY.value]
DEFAULT_DAYS = 2


@dataclass(frozen=True)
class Rule:
    """Who supervises a step when it is overdue, and how long each 督办 may stay open."""

    levels: tuple[str, ...]
    days: int
    day_kind: str

    def above(self, level: str) -> list[str]:
        """The supervising levels above ``level``, in order."""
        rank = ORDER.index(level)
        return [lv for lv in self.levels if ORDER.index(lv) > rank]


def read_rule(props: dict, start_props: dict, where: str) -> Rule | None:
    """The step's escalation rule from its properties (else the start event's), or None.
    Raises ValueError naming what is wrong."""
    raw = props.get("escalation") or start_props.get("escalation") or ""
    if not raw.strip() or raw.strip() == "none":
        return None
    from .parsing import LEVEL_NAMES  # (parsing imports this module to check rules)
    levels = []
    for part in raw.replace("，", ",").split(","):
        name = part.strip().lower()
        if name not in LEVEL_NAMES:
            raise ValueError(f"{where}: escalation names {part.strip()!r}, not a level "
                             f"(village, township, county)")
        levels.append(LEVEL_NAMES[name].value)
    days = props.get("escalation_days") or start_props.get("escalation_days") or DEFAULT_DAYS
    try:
        days = int(days)
    except ValueError:
        raise ValueError(f"{where}: escalation_days must be a whole number, got {days!r}"
                         ) from None
    if days < 0:
        raise ValueError(f"{where}: escalation_days must not be negative")
    kind = props.get("escalation_day_kind") or start_props.get("escalation_day_kind") \
        or "natural"
    if kind not in ("natural", "working"):
        raise ValueError(f"{where}: escalation_day_kind must be natural or working")
    return Rule(tuple(levels), days, kind)


def rule_of(parsed, task_name: str) -> Rule | None:
    """The escalation rule of a step of a parsed definition."""
    step = parsed.steps.get(task_name)
    if step is None:
        return None
    return read_rule(step.properties, parsed.start_properties, task_name)


_ITEM = Prepared(select(ITEMS).where(ITEMS.c.id == bindparam("item_id")))
_OF_ITEM = Prepared(select(SUPERVISIONS).where(
    SUPERVISIONS.c.work_item_id == bindparam("item_id")).order_by(SUPERVISIONS.c.tier))
_INSERT = Prepared(insert(SUPERVISIONS).returning(SUPERVISIONS.c.id))
_OPEN_OF_CASE = Prepared(select(
    SUPERVISIONS.c.id, SUPERVISIONS.c.work_item_id, SUPERVISIONS.c.level,
    SUPERVISIONS.c.area_code, SUPERVISIONS.c.tier, ITEMS.c.task_id, ITEMS.c.task_name
).select_from(SUPERVISIONS.join(ITEMS, ITEMS.c.id == SUPERVISIONS.c.work_item_id)).where(
    SUPERVISIONS.c.case_id == bindparam("case_id"), SUPERVISIONS.c.closed_at.is_(None)
).order_by(SUPERVISIONS.c.id))
CLOSE = Prepared(update(SUPERVISIONS).where(SUPERVISIONS.c.id == bindparam("sid"),
                                            SUPERVISIONS.c.closed_at.is_(None)).values(
    closed_at=bindparam("now"), outcome=bindparam("result")))


def days_overdue(due_at: datetime, now: datetime) -> int:
    """Days a step is past its due day, counted in China's calendar days (a step due at
    23:59 on the 23rd is one day overdue on the 24th)."""
    return max(0, (now.astimezone(TIMEZONE).date() - due_at.astimezone(TIMEZONE).date()).days)


def escalate(engine, tx, write, timer, now: datetime) -> None:
    """A step's due time or its 督办's due time passed: open the next level's 督办."""
    item = _ITEM.first(write.conn, {"item_id": timer.work_item_id})
    if item is None or item.status != ItemStatus.OPEN.value:
        return
    case = write.case
    parsed = engine.registry.load(write.conn, case.definition_id, case.definition_sha)
    rule = rule_of(parsed, item.task_name)
    if rule is None:
        return
    levels = rule.above(item.level)
    existing = _OF_ITEM.all(write.conn, {"item_id": item.id})
    if timer.kind == "supervision_due":
        if not existing or existing[-1].closed_at is not None:
            return
        done = {row.level for row in existing}
        levels = [lv for lv in levels if lv not in done]
    elif existing:
        return  # already supervised (e.g. the row was re-added by a migration)
    if not levels:
        return
    level, following = levels[0], levels[1:]
    area = policy.area_at(level, item.area_code)
    due = (engine.calendar(tx).due_at(now, rule.days, rule.day_kind) if following else None)
    tier = len(existing) + 1
    supervision_id = _INSERT.insert(write.conn, [{
        "case_id": case.id, "work_item_id": item.id, "level": level, "area_code": area,
        "tier": tier, "opened_at": now, "due_at": due, "closed_at": None,
        "outcome": ""}])[0][0]
    if due is not None:
        write.add_timer("supervision_due", due, work_item_id=item.id)
    facts = {"supervision": supervision_id, "work_item": item.id, "level": level,
             "area": area, "tier": tier, "step_level": item.level,
             "step_area": item.area_code, "step_due_at": item.due_at.isoformat(),
             "days_overdue": days_overdue(item.due_at, now), "holder": item.assignee_id,
             "due_at": due.isoformat() if due else None}
    write.audit("supervision_opened", None, facts, task_name=item.task_name,
                work_item_id=item.id)
    notifying.notify(write.conn, engine.settings, notifying.staff_at(write.conn, level, area),
                     "supervision", now, {**facts, "case_title": case.title,
                                          "step": item.title},
                     case.id, item.id, supervision_id)


def reminder_at(due_at: datetime, now: datetime) -> datetime | None:
    """When to remind the holder of a step due at ``due_at``: 08:00 (China) the day before
    its due day, or None when that has passed already."""
    local = due_at.astimezone(TIMEZONE)
    at = (local - timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    return at if at > now else None


def remind(engine, write, timer, now: datetime) -> None:
    """A step falls due within a day: tell whoever holds it."""
    item = _ITEM.first(write.conn, {"item_id": timer.work_item_id})
    if item is None or item.status != ItemStatus.OPEN.value:
        return
    notifying.notify(write.conn, engine.settings,
                     notifying.holders(write.conn, item.level, item.area_code,
                                       item.assignee_id),
                     "due_tomorrow", now, {"step": item.title, "case_title": write.case.title,
                                           "due_at": item.due_at.isoformat()},
                     write.case.id, item.id)


def open_of_case(conn, case_id: int) -> list:
    """The case's open 督办 with the task of the step each watches."""
    return _OPEN_OF_CASE.all(conn, {"case_id": case_id})


_LAST_DONE = select(ITEMS.c.completed_by).where(
    ITEMS.c.case_id == bindparam("case_id"), ITEMS.c.task_name == bindparam("task_name"),
    ITEMS.c.status == ItemStatus.COMPLETED.value).order_by(
    ITEMS.c.completed_at.desc(), ITEMS.c.id.desc()).limit(1)


def returned(engine, conn, case, created, actor, data: dict, now: datetime) -> None:
    """A step was returned: tell whoever did each step that is up again (else its level)."""
    for item in created:
        done_by = conn.execute(_LAST_DONE, {"case_id": case.id,
                                            "task_name": item.task_name}).scalar()
        users = [u for u in [notifying.user(conn, done_by)] if u is not None] if done_by \
            else []
        notifying.notify(conn, engine.settings, users or notifying.staff_at(
            conn, item.level, item.area_code), "returned", now, {
            "by": actor.name, "by_level": actor.level, "reason": data.get("reason", ""),
            "step": item.title, "case_title": case.title}, case.id, item.id)
