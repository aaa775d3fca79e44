"""What commands print: one JSON serializer for ``--json`` and one table printer for people.

Commands return a ``Report``: the engine's view objects for JSON, the text for people, and
whether the command reached its goal. Both renderings hide the same secrets: ID numbers are
masked and password stamps never leave the process.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Callable, Iterable, Sequence

from engine import TIMEZONE, mask_id_number

HIDDEN = {"password_stamp"}
MASKED = {"id_number": mask_id_number}


@dataclass(frozen=True)
class Report:
    """A command's result: ``data`` for ``--json``, ``text`` for people; ``ok=False`` exits 1."""

    data: object
    text: str
    ok: bool = True


def jsonable(value):
    """``value`` as plain JSON types: dataclasses as objects, dates and times as ISO 8601."""
    if is_dataclass(value) and not isinstance(value, type):
        # Fields kept out of repr are internals (parsed steps, forms), not part of a view.
        return {f.name: jsonable(MASKED.get(f.name, _same)(getattr(value, f.name)))
                for f in fields(value) if f.repr and f.name not in HIDDEN}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(item) for item in value]
    return value


def _same(value):
    return value


def to_json(value) -> str:
    """The JSON text of a value (UTF-8 characters kept, one key per line)."""
    return json.dumps(jsonable(value), ensure_ascii=False, indent=1)


def cell(value) -> str:
    """One value as a table shows it: times in China time, ``-`` for nothing."""
    if value is None or value == "":
        return "-"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(cell(item) for item in value) or "-"
    return " ".join(str(value).split())


def width(text: str) -> int:
    """Columns a terminal gives ``text``: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


Column = tuple[str, "str | Callable[[object], object]"]


def table(rows: Iterable, columns: Sequence[Column], empty: str = "nothing to show",
          indent: str = "") -> str:
    """Rows as aligned text under a header; ``columns`` are (header, attribute or function)."""
    getters = [(lambda row, name=how: getattr(row, name)) if isinstance(how, str) else how
               for _, how in columns]
    cells = [[cell(get(row)) for get in getters] for row in rows]
    if not cells:
        return indent + empty
    header = [title for title, _ in columns]
    widths = [max(width(text) for text in column) for column in zip(header, *cells)]
    return "\n".join(indent + "  ".join(text + " " * (size - width(text))
                                        for text, size in zip(line, widths)).rstrip()
                     for line in [header, *cells])
