"""What the task and case pages show of a case: who may read it, its data and summary."""
from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import access, definitions, runtime
from engine.errors import Forbidden
from engine.forms import mask_id_number
from engine.models import Case, DefinitionVersion, Household, ItemStatus, User, WorkItem

from . import schema_forms


def check_readable(user: User, case: Case) -> None:
    """Staff and auditors read the cases of their area and below, at any level."""
    access.check_area(user, case.area_code, f"case {case.id}")


def may_view(user: User, item: WorkItem, case_area: str) -> bool:
    """Staff see the items of their level in their area; auditors read any in their area."""
    if not access.within(case_area, user.area_code):
        return False
    if user.has_role("staff") and item.level == user.level:
        return access.within(item.area_code, user.area_code)
    return user.has_role("auditor") or user.has_role("admin")


def may_act(user: User, item: WorkItem) -> bool:
    """Whether the user may complete the item now."""
    if item.status != ItemStatus.OPEN.value:
        return False
    try:
        access.check_item(user, item)
    except Forbidden:
        return False
    return True


def case_data(session: Session, case: Case, item: WorkItem | None = None) -> dict:
    """The workflow data as the given work item sees it, else as the case stands now."""
    parsed = definitions.load(session, case.definition_id)
    workflow = runtime.restore(parsed, case.id, case.state)
    try:
        if item is not None:
            try:
                task = workflow.get_task_from_id(UUID(item.task_id))
            except Exception:  # a task of an earlier loop may be gone from the tree
                task = None
            if task is not None:
                return dict(task.data)
        data = dict(workflow.data)
        ready = list(runtime.ready_user_tasks(workflow).values())
        for task in ready:
            data.update(task.data)
        if not ready and workflow.last_task is not None:
            data.update(workflow.last_task.data)
        return data
    finally:
        # Reading does not change the workflow: give it back to the cache for the next step.
        runtime.CACHE.put(case.id, case.state, workflow)


def summary(session: Session, case: Case, data: dict, locale: str) -> dict:
    """Household, type, risks, dates and the DMN recommendation of a case."""
    parsed = definitions.load(session, case.definition_id)
    household = session.get(Household, case.household_id) if case.household_id else None
    start_form = parsed.forms.get(parsed.start_form) if parsed.start_form else None
    risks = data.get("risk_types") or []
    return {
        "household": household,
        "head_name": household.head_name if household else "",
        "id_number": mask_id_number(household.id_number) if household else "",
        "monitoring_type": data.get("object_type") or data.get("recommended_type") or "",
        "risk_types": schema_forms.display_value(start_form, "risk_types", risks, locale)
        if risks else "",
        "discovery_date": case.discovery_date,
        "deadline": case.deadline,
        "recommended_type": data.get("recommended_type") or "",
        "recommended_categories": "、".join(str(c) for c in
                                           data.get("recommended_categories") or []),
        "process_name": parsed.name,
    }


def bpmn_xml(session: Session, case: Case) -> str:
    """The BPMN source holding the case's process."""
    row = session.get(DefinitionVersion, case.definition_id)
    for text in row.bpmn.values():
        if f'id="{case.process_key}"' in text:
            return text
    return next(iter(row.bpmn.values()), "")


def items_of(session: Session, case_id: int) -> list[WorkItem]:
    """All work items of a case in order of creation."""
    return list(session.scalars(select(WorkItem).where(WorkItem.case_id == case_id)
                                .order_by(WorkItem.created_at, WorkItem.id)))


def step_title(item: WorkItem) -> str:
    """A work item's step title in the UI language (the form's English title in English)."""
    from flask import g

    from .database import db
    from .i18n import locale_name

    locale = locale_name()
    if locale != "en" or not item.form:
        return item.title
    known = g.setdefault("definition_of_case", {})
    if item.case_id not in known:
        known[item.case_id] = db().scalar(select(Case.definition_id).where(
            Case.id == item.case_id))
    form = definitions.load(db(), known[item.case_id]).forms.get(item.form)
    return schema_forms.title(form, locale, item.title)


def user_names(session: Session, ids) -> dict[int, str]:
    """Display names of users by id."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u.display_name or u.username
            for u in session.scalars(select(User).where(User.id.in_(ids)))}
