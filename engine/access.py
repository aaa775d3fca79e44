"""Who may see and act on what: levels, areas and roles."""
from __future__ import annotations

from sqlalchemy import ColumnElement

from .errors import Forbidden
from .models import Level, User, WorkItem


def within(area_code: str, user_area: str) -> bool:
    """Whether ``area_code`` is the user's area or lies under it."""
    return area_code.startswith(user_area)


def area_at(level: Level | str, village_code: str) -> str:
    """The area code at ``level`` that contains the village ``village_code``."""
    return village_code[:Level(level).code_length]


def can_act(user: User) -> bool:
    """Whether the user works task queues (staff), as opposed to only reading them."""
    return user.active and user.has_role("staff")


def item_filter(user: User) -> ColumnElement[bool]:
    """SQL condition: work items of the user's level in the user's area or below."""
    return (WorkItem.level == user.level) & WorkItem.area_code.startswith(user.area_code,
                                                                          autoescape=True)


def check_item(user: User, item: WorkItem) -> None:
    """Refuse with a clear reason unless ``user`` may act on ``item``."""
    if not can_act(user):
        raise Forbidden(f"user {user.username} has no staff role and cannot act on work items")
    if item.level != user.level:
        raise Forbidden(f"work item {item.id} is for the {item.level} level; "
                        f"user {user.username} works at the {user.level} level")
    if not within(item.area_code, user.area_code):
        raise Forbidden(f"work item {item.id} belongs to area {item.area_code}, outside "
                        f"{user.username}'s area {user.area_code}")
    if item.assignee_id is not None and item.assignee_id != user.id:
        raise Forbidden(f"work item {item.id} is claimed by another user")


def check_area(user: User, area_code: str, what: str) -> None:
    """Refuse unless ``area_code`` lies inside the user's area."""
    if not within(area_code, user.area_code):
        raise Forbidden(f"{what} in area {area_code} is outside {user.username}'s area "
                        f"{user.area_code}")
