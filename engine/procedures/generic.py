"""Any process without a procedure of its own: the case belongs to a village, no subject."""
from __future__ import annotations

from dataclasses import dataclass

from .. import policy
from ..directory import area
from ..errors import InvalidData, NotFound
from ..models import Level
from .base import Procedure, Subject


def case_area(conn, actor, code, levels: tuple[Level, ...] = (Level.VILLAGE,)) -> str:
    """The area a case belongs to: an area of one of ``levels`` inside the actor's area.

    Work items of a level below the case's area have no area to go to, so a process whose
    cases may belong to a township keeps its village steps off the township's paths.
    """
    names = " or ".join(level.value for level in levels)
    if not isinstance(code, str):
        raise InvalidData(f"area_code must be the code of a {names}", {"area_code": "invalid"})
    found = area(conn, code)
    if found is None:
        raise NotFound(f"area {code} does not exist")
    if found.level not in {level.value for level in levels}:
        raise InvalidData(f"a case belongs to a {names}: area {code} is a {found.level}; "
                          f"give area_code of a {names}", {"area_code": f"not a {names}"})
    policy.require(policy.start, actor, code)
    return code


def village_of(conn, actor, code) -> str:
    """The village a case belongs to: a village code inside the actor's area."""
    return case_area(conn, actor, code)


@dataclass
class Generic(Procedure):
    """The default procedure: the case's village is ``area_code`` or the actor's own."""

    name: str = "generic"

    def subject(self, conn, actor, data: dict, key: str) -> Subject:
        """No subject: the village from ``area_code`` in the data, else the actor's area."""
        code = village_of(conn, actor, data.get("area_code") or actor.area_code)
        return Subject("", None, code, "")
