"""Errors the engine raises; each carries a one-line message meant for the user."""
import re

# "file.bpmn: element task_1: ..." — where a definition error is, for editors to point at.
_WHERE = re.compile(r"^(?P<file>[^:\s]+\.(?:bpmn|dmn|json)):(?: element (?P<element>[^:\s]+):)?")


class DixianError(Exception):
    """Base class: the message says what is wrong, in one line."""


class NotFound(DixianError):
    """A user, area, case, work item or definition that does not exist."""


class Forbidden(DixianError):
    """The user may not act here (wrong level, outside their area, someone else's item)."""


class Conflict(DixianError):
    """The case changed since the caller read it (stale version) or the item is done."""


class SubjectBusy(Conflict):
    """The subject cannot start a case: ``case_id`` is the case that holds it (a running
    case, or the one that took the household in), for front-ends to link."""

    def __init__(self, message, case_id: int | None = None):
        super().__init__(message)
        self.case_id = case_id


class InvalidData(DixianError):
    """Submitted data is not acceptable; ``errors`` maps field paths to messages."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or {}


class InvalidDefinition(DixianError):
    """A BPMN/DMN/form file cannot be deployed; names the file and element where known.

    ``filename`` and ``element`` repeat what the message names, for an editor to highlight.
    """

    def __init__(self, message):
        super().__init__(message)
        where = _WHERE.match(str(message))
        self.filename = (where.group("file") or "") if where else ""
        self.element = (where.group("element") or "") if where else ""


class ScriptError(DixianError):
    """A BPMN script or expression tried something the restricted environment forbids."""


class PaymentRefused(InvalidData):
    """A payment the funds rules forbid: ``rule`` names the rule, ``values`` the amounts
    (yuan, as text) and per cents the message quotes, so front-ends can word it."""

    def __init__(self, message, rule: str, values: dict | None = None):
        super().__init__(message, {"amount": rule})
        self.rule, self.values = rule, values or {}


class LoginRefused(DixianError):
    """No password check now: too many attempts from this address (``reason`` "rate") or
    the account is locked after failed log-ins (``reason`` "locked"); ``retry_after`` in
    seconds."""

    def __init__(self, message, reason: str, retry_after: int):
        super().__init__(message)
        self.reason, self.retry_after = reason, retry_after
