"""Any process without a procedure of its own: the case belongs to a village, no subject."""
from __future__ import annotations

from dataclasses import dataclass

from .. import policy
from ..directory import area
from ..errors import InvalidData, NotFound
from ..models import Level
from .base import Procedure, Subject


def village_of(conn, actor, code) -> str:
    """The village a case belongs to: a village code inside the actor's area."""
    if not isinstance(code, str):
        raise InvalidData("area_code must be a 12-digit village code", {"area_code": "invalid"})
    found = area(conn, code)
    if found is None:
        raise NotFound(f"area {code} does not exist")
    if found.level != Level.VILLAGE.value:
        raise InvalidData(f"a case belongs to a village: area {code} is a {found.level}; "
                          f"give area_code of a village", {"area_code": "not a village"})
    policy.require(policy.start, actor, code)
    return code


@dataclass
class Generic(Procedure):
    """The default procedure: the case's village is ``area_code`` or the actor's own."""

    name: str = "generic"

    def subject(self, conn, actor, data: dict, key: str) -> Subject:
        """No subject: the village from ``area_code`` in the data, else the actor's area."""
        code = village_of(conn, actor, data.get("area_code") or actor.area_code)
        return Subject("", None, code, "")
