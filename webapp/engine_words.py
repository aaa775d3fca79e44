"""The engine's one-line messages in the reader's language.

The engine words its refusals in English for logs, the CLI and the API. Pages show them
through ``message``: each known message shape is matched and said again in the user's
language, with its names and numbers; an unknown one keeps its text under a translated
lead-in, so a Chinese page never shows a bare English sentence.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .i18n import locale_name

LEVELS = {"village": _l("village"), "township": _l("township"), "county": _l("county")}
STATES = {"completed": _l("finished"), "cancelled": _l("withdrawn"),
          "rejected": _l("not approved"), "running": _l("in progress")}


def _level(word: str) -> str:
    return str(LEVELS.get(word, word))


def _state(word: str) -> str:
    return str(STATES.get(word, word))


# (pattern, how to say it); patterns are tried in order, the first that matches wins.
SHAPES = [
    (r"user (?P<user>\S+) is deactivated",
     lambda m: _("The account %(user)s is deactivated.", user=m["user"])),
    (r"user (?P<user>\S+) has no staff role and may only read",
     lambda m: _("The account %(user)s may only read; it has no staff role.", user=m["user"])),
    (r".+ in area (?P<area>\d+) is outside \S+'s area (?P<own>\d+)",
     lambda m: _("This lies outside your area.")),
    (r"area (?P<area>\d+) is outside \S+'s area (?P<own>\d+)",
     lambda m: _("This lies outside your area.")),
    (r"work item (?P<id>\d+) is for the (?P<level>\w+) level.*",
     lambda m: _("Step #%(id)s is handled at the %(level)s level.", id=m["id"],
                 level=_level(m["level"]))),
    (r"work item (?P<id>\d+) \((?P<title>.+)\) is already (?P<state>\w+).*",
     lambda m: _("Step #%(id)s (%(title)s) is already %(state)s.", id=m["id"],
                 title=m["title"], state=_state(m["state"]))),
    (r"work item (?P<id>\d+) is claimed by another user",
     lambda m: _("Step #%(id)s has been claimed by a colleague.", id=m["id"])),
    (r"work item (?P<id>\d+) is not claimed by another user.*",
     lambda m: _("Step #%(id)s is not claimed by anyone else: there is nothing to take over.",
                 id=m["id"])),
    (r"user \S+ is neither an administrator nor the lead of the (?P<level>\w+) level.*",
     lambda m: _("Only an administrator or the lead of the %(level)s level may take over a "
                 "colleague's step.", level=_level(m["level"]))),
    (r"work item (?P<id>\d+) is no longer held by .*|"
     r"work item (?P<id2>\d+) was claimed or completed by someone else first|"
     r"work item (?P<id3>\d+) is no longer waiting for input|"
     r"case (?P<case>\d+) changed since this form was opened.*",
     lambda m: _("This task has already been handled by someone else or the case has "
                 "changed. Please reload and try again.")),
    (r"user (?P<user>\S+) is not active staff",
     lambda m: _("%(user)s is not active staff.", user=m["user"])),
    (r"user (?P<user>\S+) does not work at the (?P<level>\w+) level of area (?P<area>\d+)",
     lambda m: _("%(user)s does not work at the %(level)s level of this area.",
                 user=m["user"], level=_level(m["level"]))),
    (r"only county staff may cancel a case",
     lambda m: _("Only county staff may cancel a case.")),
    (r"case (?P<id>\d+) is already (?P<state>\w+)",
     lambda m: _("Case #%(id)s is already %(state)s.", id=m["id"], state=_state(m["state"]))),
    (r"case (?P<id>\d+) is (?P<state>\w+); files can only be attached to a running case",
     lambda m: _("Case #%(id)s has ended; files can only be attached to a running case.",
                 id=m["id"])),
    (r"(?P<what>work item|case|attachment|user) (?P<id>\d+) does not exist",
     lambda m: _("%(what)s #%(id)s does not exist.", what=str(_THINGS[m["what"]]),
                 id=m["id"])),
    (r"user \S+ is not an administrator.*",
     lambda m: _("Only an administrator may do this.")),
    (r"only a level above the (?P<level>\w+) level may urge .*",
     lambda m: _("Only a level above the %(level)s level may urge this step.",
                 level=_level(m["level"]))),
]
_THINGS = {"work item": _l("Step"), "case": _l("Case"), "attachment": _l("Attachment"),
           "user": _l("User")}
_COMPILED = [(re.compile(pattern), say) for pattern, say in SHAPES]
_CJK = re.compile(r"[\u4e00-\u9fff]")


def message(err) -> str:
    """The engine's message (an exception or its text) for the page, in the UI language."""
    text = str(err).strip()
    if locale_name() == "en" or not text:
        return text
    for pattern, say in _COMPILED:
        found = pattern.fullmatch(text)
        if found:
            return say(found)
    if _CJK.search(text):
        return text  # already in the user's words (a form's own message)
    return _("The system refused: %(reason)s", reason=text)
