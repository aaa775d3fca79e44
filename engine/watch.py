"""Which households are under watch: those the village visits every month (每月入户走访)
and a campaign may be limited to.

A household is under watch when the register holds it as a monitoring object whose risk is
not yet eliminated, or when its ``household_type`` marks it formerly poor (脱贫户) or a
monitoring object (监测户, households recorded before the register). This module is the one
place that decides it.
"""
from __future__ import annotations

from sqlalchemy import Select, exists, or_, select

from . import policy
from .models import Household
from .register_models import MonitoringObject

HOUSEHOLDS = Household.__table__
OBJECTS = MonitoringObject.__table__
WATCHED_TYPES = ("formerly_poor", "monitoring")


def households_under_watch(area_code: str) -> Select:
    """``SELECT id, village_code, head_name, id_number, household_type`` of the households
    under watch in an area (a county, township or village code)."""
    monitored = exists().where(OBJECTS.c.household_id == HOUSEHOLDS.c.id,
                               OBJECTS.c.status == "monitoring")
    return select(HOUSEHOLDS.c.id, HOUSEHOLDS.c.village_code, HOUSEHOLDS.c.head_name,
                  HOUSEHOLDS.c.id_number, HOUSEHOLDS.c.household_type).where(
        policy.prefix_range(HOUSEHOLDS.c.village_code, area_code),
        or_(HOUSEHOLDS.c.household_type.in_(WATCHED_TYPES), monitored))
