"""Procedures: what is specific to one kind of case, one module each.

The engine runs any BPMN the same way. What differs between identification, project intake
or risk elimination — what a case is about (its subject), what its pages summarise, how its
outcomes are worded, what happens in the register when it ends — is a ``Procedure``. A
definition names its procedure in the start event's ``procedure`` property; a definition that
names none is run by ``Generic``. Adding a procedure is adding a module here, its BPMN and
its forms, and registering it in ``PROCEDURES``.
"""
from __future__ import annotations

from .base import Fact, Procedure, Subject
from .elimination import Elimination
from .generic import Generic
from .identification import Identification
from .projects import ProjectIntake

PROCEDURES: dict[str, Procedure] = {p.name: p for p in (Generic(), Identification(),
                                                           ProjectIntake(), Elimination())}

__all__ = ["Fact", "Procedure", "Subject", "Generic", "Identification", "ProjectIntake",
           "Elimination", "PROCEDURES"]
