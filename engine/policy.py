"""Who may do what: one rule per action, written once and used by every front-end.

A rule takes the actor and what they act on and returns ``""`` when allowed, else the reason
in one line. ``allowed(rule, …)`` gives a bool for pages that show or hide a button;
``require(rule, …)`` raises Forbidden with the reason. The SQL filters select what a user may
see, with the same meaning as the rules.

Areas nest by the statistical division code: a user of area A acts in A and every area whose
code starts with A.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_

from .errors import Forbidden
from .models import CaseStatus, ItemStatus, Level, WorkItem


def within(area_code: str, user_area: str) -> bool:
    """Whether ``area_code`` is the user's area or lies under it."""
    return isinstance(area_code, str) and area_code.startswith(user_area)


def area_at(level: Level | str, village_code: str) -> str:
    """The area code at ``level`` that contains the village ``village_code``."""
    return village_code[:Level(level).code_length]


def prefix_range(column, prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, written as a range an index can scan under any
    collation (``LIKE 'p%'`` cannot under PostgreSQL's C.UTF-8 or ICU collations)."""
    if not prefix:
        return column.isnot(None)
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper)


def _active(actor) -> str:
    return "" if actor.active else f"user {actor.username} is deactivated"


def _staff(actor) -> str:
    return _active(actor) or ("" if actor.has_role("staff") else
                              f"user {actor.username} has no staff role and may only read")


def _in_area(actor, area_code: str, what: str) -> str:
    return "" if within(area_code, actor.area_code) else (
        f"{what} in area {area_code} is outside {actor.username}'s area {actor.area_code}")


# Rules ------------------------------------------------------------------------------------

def work_queue(actor) -> str:
    """Have a task queue at all: active staff (auditors and administrators only read)."""
    return _staff(actor)


def view_case(actor, case) -> str:
    """Staff, auditors and administrators read the cases of their area, at any level."""
    return _active(actor) or _in_area(actor, case.area_code, f"case {case.id}")


def view_item(actor, item, case) -> str:
    """Staff see their level's items in their area; auditors and admins read any there."""
    reason = view_case(actor, case)
    if reason:
        return reason
    if actor.has_role("auditor") or actor.has_role("admin"):
        return ""
    if item.level != actor.level:
        return f"work item {item.id} is for the {item.level} level"
    return _in_area(actor, item.area_code, f"work item {item.id}")


def _on_item(actor, item) -> str:
    if item.status != ItemStatus.OPEN.value:
        return f"work item {item.id} ({item.title}) is already {item.status}"
    if item.level != actor.level:
        return (f"work item {item.id} is for the {item.level} level; user {actor.username} "
                f"works at the {actor.level} level")
    return _in_area(actor, item.area_code, f"work item {item.id}")


def act(actor, item) -> str:
    """Complete an item: staff of its level and area, unless a colleague has claimed it."""
    reason = _staff(actor) or _on_item(actor, item)
    if not reason and item.assignee_id not in (None, actor.id):
        reason = f"work item {item.id} is claimed by another user"
    return reason


def lodge(actor, case, levels) -> str:
    """Staff of one of ``levels`` inside the case's area lodge in a period of it (an
    objection during publicity)."""
    reason = _staff(actor) or _in_area(actor, case.area_code, f"case {case.id}")
    if not reason and actor.level not in levels:
        reason = (f"user {actor.username} is {actor.level} staff; this period takes entries "
                  f"from {', '.join(sorted(levels))} staff")
    return reason


def claim(actor, item) -> str:
    """Claim an item: as ``act``; claiming one's own item again is allowed."""
    return act(actor, item)


def unclaim(actor, item) -> str:
    """Give an item back to the group: its holder, or an administrator."""
    reason = _active(actor)
    if not reason and not actor.has_role("admin"):
        reason = _staff(actor) or _on_item(actor, item)
        if not reason and item.assignee_id not in (None, actor.id):
            reason = f"work item {item.id} is claimed by another user"
    return reason


def reassign(actor, item, target) -> str:
    """Hand an item (转办) to a colleague of its level and area: by the one who may act on
    it, or by an administrator."""
    reason = _active(actor) or (act(actor, item) if not actor.has_role("admin") else "")
    if reason:
        return reason
    if not target.active or not target.has_role("staff"):
        return f"user {target.username} is not active staff"
    return "" if (target.level == item.level and within(item.area_code, target.area_code)
                  and within(target.area_code, item.area_code)) else (
        f"user {target.username} does not work at the {item.level} level of area "
        f"{item.area_code}")


def take_over(actor, item) -> str:
    """Take over (接管) an item a colleague has claimed, when they cannot be reached: an
    administrator of its area, or the lead (负责人, role ``lead``) among the staff of its
    level and area. A reason is required and the take-over is audited."""
    reason = _active(actor)
    if not reason and item.status != ItemStatus.OPEN.value:
        reason = f"work item {item.id} ({item.title}) is already {item.status}"
    if not reason and item.assignee_id in (None, actor.id):
        reason = f"work item {item.id} is not claimed by another user: nothing to take over"
    if reason:
        return reason
    if actor.has_role("admin"):
        return _in_area(actor, item.area_code, f"work item {item.id}")
    if not actor.has_role("lead"):
        return (f"user {actor.username} is neither an administrator nor the lead of the "
                f"{item.level} level and may not take over a colleague's item")
    return _staff(actor) or _on_item(actor, item)


def start(actor, area_code: str) -> str:
    """Start a case: staff, for a village of their area."""
    return _staff(actor) or _in_area(actor, area_code, "a case")


def cancel(actor, case) -> str:
    """Cancel a running case: county staff of its area."""
    reason = _staff(actor) or _in_area(actor, case.area_code, f"case {case.id}")
    if not reason and actor.level != Level.COUNTY.value:
        reason = "only county staff may cancel a case"
    if not reason and case.status != CaseStatus.RUNNING.value:
        reason = f"case {case.id} is already {case.status}"
    return reason


def attach(actor, case, item=None) -> str:
    """Attach a file: staff of the case's area while it runs; to an item, only its actor."""
    reason = _staff(actor) or _in_area(actor, case.area_code, f"case {case.id}")
    if not reason and case.status != CaseStatus.RUNNING.value:
        reason = f"case {case.id} is {case.status}; files can only be attached to a running case"
    if not reason and item is not None:
        reason = act(actor, item)
    return reason


def print_case(actor, case) -> str:
    """Print a case's trail or sheet: anyone who may read it."""
    return view_case(actor, case)


def print_batch(actor, area_code: str) -> str:
    """Print the trails of an area's cases as one batch: anyone of that area."""
    return _active(actor) or _in_area(actor, area_code, "a batch print")


def view_household(actor, village_code: str) -> str:
    """Read a household's record: anyone of its area."""
    return _active(actor) or _in_area(actor, village_code, "the household")


def register_household(actor, village_code: str) -> str:
    """Register a household: staff of its area."""
    return _staff(actor) or _in_area(actor, village_code, "a household")


def propose_project(actor, area_code: str) -> str:
    """Propose a project for the library: village or township staff, in their own area
    (村申报; a cross-village project is proposed by its township)."""
    reason = _staff(actor) or _in_area(actor, area_code, "a project")
    if not reason and actor.level == Level.COUNTY.value:
        reason = "projects are proposed by villages and townships; the county appraises them"
    return reason


def view_project(actor, area_code: str) -> str:
    """Read a project of the library: anyone of its area (the county sees them all)."""
    return _active(actor) or _in_area(actor, area_code, "the project")


def manage_funds(actor, area_code: str) -> str:
    """Release, allocate and pay connection funds, and set the campaign dates: county staff
    of the county."""
    reason = _staff(actor) or _in_area(actor, area_code, "funds")
    if not reason and actor.level != Level.COUNTY.value:
        reason = "only county staff manage connection funds and the library's campaigns"
    return reason


def import_warnings(actor, county_code: str) -> str:
    """Import department warning files (部门筛查预警) and open screening campaigns: county
    staff of the county."""
    reason = _staff(actor)
    if not reason and actor.level != Level.COUNTY.value:
        reason = "only county staff import department warnings and open screenings"
    return reason or _in_area(actor, county_code, "the county")


open_screening = import_warnings


def view_clue(actor, village_code: str) -> str:
    """Read a risk clue, a visit or a screening list: anyone of its area."""
    return _active(actor) or _in_area(actor, village_code, "the risk clue")


def view_county_work(actor, county_code: str) -> str:
    """Read a county-wide campaign or plan: anyone of the county or of an area in it."""
    reason = _active(actor)
    if not reason and not (within(county_code, actor.area_code)
                           or within(actor.area_code, county_code)):
        reason = f"county {county_code} is outside {actor.username}'s area {actor.area_code}"
    return reason


def village_work(actor, village_code: str) -> str:
    """Check a risk clue (declare it or close it), record a monthly visit or a screening:
    village staff (village committee, first secretary, work team) of its village."""
    reason = _staff(actor) or _in_area(actor, village_code, "the household")
    if not reason and actor.level != Level.VILLAGE.value:
        reason = ("risk clues, visits and screenings are handled by the village; "
                  f"user {actor.username} works at the {actor.level} level")
    return reason


def view_reports(actor, area_code: str) -> str:
    """Read the reports of an area: anyone of that area (a township its villages, a village
    itself); auditors and administrators read their county's."""
    return _active(actor) or _in_area(actor, area_code, "a report")


def enter_report(actor, area_code: str) -> str:
    """Enter a report's hand-entered figures for an area (走访慰问情况统计表): staff of
    exactly that area (the county's bureau for the county, a township for itself)."""
    reason = _staff(actor) or _in_area(actor, area_code, "a report")
    if not reason and area_code != actor.area_code:
        reason = (f"the figures of area {area_code} are entered by its own staff, not by "
                  f"{actor.username} of {actor.area_code}")
    return reason


def deploy(actor) -> str:
    """Deploy a definition: administrators (or the system itself when ``actor`` is None)."""
    if actor is None:
        return ""
    return _active(actor) or ("" if actor.has_role("admin") else
                              f"user {actor.username} is not an administrator")


administer = deploy


def edit_definitions(actor) -> str:
    """Read, edit, save and deploy process definitions: administrators only."""
    return _active(actor) or ("" if actor.has_role("admin") else
                              f"user {actor.username} is not an administrator and may not "
                              f"edit process definitions")


def migrate_cases(actor) -> str:
    """Move running cases to another version of their process: administrators only (never
    the anonymous system: a migration always names who decided it)."""
    if actor is None:
        return "a migration needs an administrator who decides it"
    return _active(actor) or ("" if actor.has_role("admin") else
                              f"user {actor.username} is not an administrator and may not "
                              f"migrate cases")


RANK = {Level.VILLAGE.value: 0, Level.TOWNSHIP.value: 1, Level.COUNTY.value: 2}


def urge(actor, item) -> str:
    """Urge (催办) the holder of an open item: staff of a level above the item's, in whose
    area the item lies."""
    reason = _staff(actor)
    if not reason and item.status != ItemStatus.OPEN.value:
        reason = f"work item {item.id} ({item.title}) is already {item.status}"
    if not reason and RANK.get(actor.level, -1) <= RANK.get(item.level, 3):
        reason = (f"only a level above the {item.level} level may urge work item {item.id}; "
                  f"user {actor.username} works at the {actor.level} level")
    return reason or _in_area(actor, item.area_code, f"work item {item.id}")


def overdue_board(actor, area_code: str) -> str:
    """Read the overdue board of an area: township and county staff and auditors of it."""
    reason = _active(actor)
    if not reason and actor.level not in (Level.TOWNSHIP.value, Level.COUNTY.value):
        reason = "the overdue board is for township and county staff"
    return reason or _in_area(actor, area_code, "the board")


def manage_timers(actor) -> str:
    """See pending timers, incidents and workers, and retry an incident: administrators."""
    return _active(actor) or ("" if actor.has_role("admin") else
                              f"user {actor.username} is not an administrator")


# Using the rules --------------------------------------------------------------------------

def allowed(rule, *args) -> bool:
    """Whether the rule lets the actor act."""
    return rule(*args) == ""


def require(rule, *args) -> None:
    """Raise Forbidden with the rule's reason unless it allows the action."""
    reason = rule(*args)
    if reason:
        raise Forbidden(reason)


# What a user may see, as SQL ----------------------------------------------------------------

def item_filter(actor) -> ColumnElement[bool]:
    """Work items of the actor's level in the actor's area or below."""
    return and_(WorkItem.level == actor.level, prefix_range(WorkItem.area_code, actor.area_code))


def case_filter(actor, area_column) -> ColumnElement[bool]:
    """Cases whose area lies in the actor's area."""
    return prefix_range(area_column, actor.area_code)


def county_decision(actor, village_code: str) -> str:
    """Roll back a risk elimination (回退) or record that a case was entered into the
    national system: county staff of the household's county."""
    reason = _staff(actor)
    if not reason and actor.level != Level.COUNTY.value:
        reason = ("only county staff roll back an elimination or record entry into the "
                  "national system")
    return reason or _in_area(actor, village_code, "the household")
