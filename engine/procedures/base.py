"""The procedure interface and the facts it gives the pages."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Subject:
    """What a case is about: a household, a project…; it decides the case's village."""

    kind: str
    id: int | None
    area_code: str
    title: str


@dataclass(frozen=True)
class Fact:
    """One line of a case summary: a label in each language and a value.

    ``form_field`` names a field of the start form whose option labels show the value;
    ``texts`` gives the value already worded per locale (``value`` is the Chinese words).
    """

    key: str
    label: dict[str, str]
    value: object
    form_field: str = ""
    texts: dict[str, str] | None = None

    def label_in(self, locale: str) -> str:
        """The label in ``locale``, Chinese when there is none."""
        return self.label.get(locale) or self.label.get("zh_CN") or self.key

    def text_in(self, locale: str) -> str | None:
        """The value worded in ``locale`` when the procedure worded it, else None."""
        if not self.texts:
            return None
        return self.texts.get(locale) or self.texts.get("zh_CN")


GENERIC_OUTCOMES = {
    "completed": {"zh_CN": "已办结", "en": "Completed"},
    "approved": {"zh_CN": "审批通过", "en": "Approved"},
    "rejected": {"zh_CN": "不予通过", "en": "Not approved"},
    "cancelled": {"zh_CN": "已撤销", "en": "Cancelled"},
}


@dataclass
class Procedure:
    """Defaults for every procedure; subclasses override what differs."""

    name: str = "generic"
    # Process keys this procedure runs when their definition names no procedure (versions
    # deployed before the property existed).
    process_keys: tuple[str, ...] = ()
    subject_kind: str = ""
    label: dict = field(default_factory=lambda: {"zh_CN": "流程", "en": "Process"})
    outcomes: dict = field(default_factory=dict)

    def configured(self, settings) -> "Procedure":
        """This procedure as the deployment's settings configure it (default: unchanged)."""
        return self

    def check(self, conn, parsed, case, step: str, data: dict, before: dict, now: datetime,
              locale: str) -> dict[str, str]:
        """Field → message for what the procedure's own rules refuse in valid form data of
        ``step`` of definition ``parsed`` ("start" for the start form, ``case`` None);
        ``before`` is the case data so far. Empty when acceptable."""
        return {}

    def final_outcome(self, outcomes: list[str]) -> str:
        """What the case ends as, from the outcomes of the end events it reached (oldest
        first): by default the last one."""
        return outcomes[-1] if outcomes else ""

    def subject(self, conn, actor, data: dict, key: str) -> Subject:
        """The subject and village of a new case of process ``key`` from its start data;
        refuses (NotFound, Forbidden, Conflict, InvalidData) what cannot start."""
        raise NotImplementedError

    def open(self, conn, actor, subject: Subject, data: dict, now: datetime) -> Subject:
        """Called once the start data is valid, before the case is written: a procedure
        whose case brings its subject into being (a proposed project) records it here and
        returns the subject with its id; it may add derived fields to ``data``."""
        return subject

    def completing(self, conn, actor, case, step: str, data: dict, now: datetime) -> None:
        """Called when a work item of step ``step`` is completed with valid form data,
        before the workflow moves: refuse (InvalidData, Conflict) what the procedure's own
        rules forbid, or record what the step changes in the subject."""

    def facts(self, conn, case, data: dict) -> list[Fact]:
        """The lines that summarise a case on its pages (task, case, print)."""
        return []

    def ended(self, conn, case, now: datetime) -> None:
        """Called in the same transaction when a case ends (update registers here)."""

    def closed(self, conn, case, now: datetime, data: dict) -> None:
        """Called when a case ends, with the case data as it ended; by default ``ended``."""
        self.ended(conn, case, now)

    def outcome_label(self, outcome: str, locale: str) -> str:
        """The outcome in words."""
        labels = self.outcomes.get(outcome) or GENERIC_OUTCOMES.get(outcome)
        if not labels:
            return outcome
        return labels.get(locale) or labels["zh_CN"]
