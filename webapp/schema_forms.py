"""HTML forms from Dixian form files (JSON Schema + UI hints): render, read back, display.

A form file gives ``schema`` (properties, required), and ``ui`` (order, widgets, labels_en,
enum_labels, enum_labels_en). Fields come out in ``ui.order``; the submitted strings are
converted to the schema's types so that ``engine.forms.errors_of`` can check them, and the
raw strings are kept to re-render the form after an error.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

DECISION = "decision"
TRUE_VALUES = {"on", "true", "1", "yes"}


@dataclass
class Field:
    """One input of a rendered form."""

    name: str
    label: str
    widget: str
    required: bool = False
    description: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    raw: object = ""
    error: str = ""
    # The longest input the schema allows (the maxlength of a text input or textarea).
    max_length: int | None = None

    @property
    def id(self) -> str:
        """The id of the input (of a group's first choice) that labels and links point to."""
        return "f-" + self.name

    def selected(self, value: str) -> bool:
        """Whether an option is chosen in the current input."""
        if isinstance(self.raw, list):
            return value in self.raw
        return self.raw == value


def _props(form: dict) -> dict:
    return form["schema"].get("properties", {})


def order(form: dict) -> list[str]:
    """Field names in display order: ``ui.order`` first, then the rest of the schema."""
    props = _props(form)
    listed = [n for n in form.get("ui", {}).get("order", []) if n in props]
    return listed + [n for n in props if n not in listed]


def title(form: dict | None, locale: str, default: str = "") -> str:
    """The form's title in the locale."""
    if not form:
        return default
    if locale == "en":
        return form.get("title_en") or form.get("title") or default
    return form.get("title") or default


def instructions(form: dict | None, locale: str) -> str:
    """The form's instructions in the locale."""
    if not form:
        return ""
    if locale == "en":
        return form.get("instructions_en") or form.get("instructions", "")
    return form.get("instructions", "")


def label(form: dict, name: str, locale: str) -> str:
    """A field's label: ``ui.labels_en`` in English, the schema title in Chinese."""
    prop = _props(form).get(name, {})
    if locale == "en":
        return form.get("ui", {}).get("labels_en", {}).get(name) or prop.get("title") or name
    return prop.get("title") or name


def _enum(prop: dict) -> list | None:
    if "enum" in prop:
        return prop["enum"]
    items = prop.get("items", {})
    if prop.get("type") == "array" and isinstance(items, dict) and "enum" in items:
        return items["enum"]
    return None


def enum_label(form: dict, name: str, value, locale: str) -> str:
    """The label of one enum value."""
    ui = form.get("ui", {})
    key = "enum_labels_en" if locale == "en" else "enum_labels"
    labels = ui.get(key, {}).get(name) or ui.get("enum_labels", {}).get(name) or {}
    return labels.get(str(value), str(value))


def _widget(form: dict, name: str) -> str:
    prop = _props(form)[name]
    hint = form.get("ui", {}).get("widgets", {}).get(name)
    kind = prop.get("type")
    if name == DECISION and "enum" in prop:
        return "decision"
    if kind == "array":
        return "checkboxes" if _enum(prop) is not None else "lines"
    if "enum" in prop:
        return hint if hint in ("radio", "select") else "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return "number"
    if hint == "date" or prop.get("format") in ("date", "date-not-future"):
        return "date"
    if hint == "textarea":
        return "textarea"
    if hint == "tel" or prop.get("format") == "cn-phone":
        return "tel"
    return "text"


def _required(prop: dict, widget: str, listed: bool) -> bool:
    """Whether the user must fill in the field: a checkbox only when it must be ticked
    (``const: true``), since unticked is an answer; a list when it needs an entry."""
    if widget == "checkbox":
        return prop.get("const") is True
    if widget in ("checkboxes", "lines"):
        return listed and prop.get("minItems", 0) >= 1
    return listed


def _max_length(prop: dict, widget: str) -> int | None:
    """The input's maxlength: the schema's ``maxLength``; for one-entry-per-line lists, the
    entries' length times their number (with the line breaks)."""
    if widget in ("text", "textarea", "tel"):
        return prop.get("maxLength")
    if widget == "lines":
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        if items.get("maxLength") and prop.get("maxItems"):
            return (items["maxLength"] + 2) * prop["maxItems"]
    return None


def fields(form: dict, locale: str, raw: dict | None = None, errors: dict | None = None,
           skip: tuple[str, ...] = ()) -> list[Field]:
    """The form's inputs with their current raw values and error messages."""
    raw, errors = raw or {}, errors or {}
    required = set(form["schema"].get("required", []))
    props = _props(form)
    result = []
    for name in order(form):
        if name in skip:
            continue
        prop = props[name]
        values = _enum(prop)
        options = [(str(v), enum_label(form, name, v, locale)) for v in values or []]
        description = prop.get("description", "") if locale != "en" else ""
        message = errors.get(name) or next(
            (m for k, m in errors.items() if k.startswith(name + ".")), "")
        default = prop.get("default")
        value = raw.get(name, "" if default is None else default)
        if isinstance(value, bool):
            value = "on" if value else ""
        widget = _widget(form, name)
        result.append(Field(name, label(form, name, locale), widget,
                            _required(prop, widget, name in required), description, options,
                            value, message, _max_length(prop, widget)))
    return result


def decisions(form: dict | None) -> list[str]:
    """The decision values the form allows (approve/reject/return), in that order."""
    if not form:
        return []
    prop = _props(form).get(DECISION, {})
    allowed = prop.get("enum", [])
    return [v for v in ("approve", "reject", "return") if v in allowed]


def _number(text: str, integer: bool):
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        return text  # left as text: the schema check reports the wrong type
    if not integer and math.isfinite(value) and value.is_integer() and "." not in text:
        return int(value)
    return value if integer or math.isfinite(value) else text


def _convert(prop: dict, text: str):
    kind = prop.get("type")
    if kind == "integer" or (kind is None and all(isinstance(v, int) for v in
                                                  prop.get("enum", [None]))):
        return _number(text, True)
    if kind == "number":
        return _number(text, False)
    return text


def read(form: dict, submitted: MultiDict, skip: tuple[str, ...] = ()) -> tuple[dict, dict]:
    """``(data, raw)``: the submitted values typed for the schema, and as the user typed them.

    Empty inputs are left out, so that ``required`` reports them.
    """
    required = set(form["schema"].get("required", []))
    data, raw = {}, {}
    for name, prop in _props(form).items():
        if name in skip:
            continue
        widget = _widget(form, name)
        if widget == "checkboxes":
            chosen = [v for v in submitted.getlist(name) if v]
            raw[name] = chosen
            item = prop.get("items", {})
            if chosen or name in required:
                data[name] = [_convert(item, v) for v in chosen]
        elif widget == "lines":
            text = submitted.get(name, "")
            raw[name] = text
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if lines or name in required:
                data[name] = lines
        elif widget == "checkbox":
            checked = submitted.get(name, "").strip().lower() in TRUE_VALUES
            raw[name] = "on" if checked else ""
            data[name] = checked
        else:
            text = submitted.get(name, "").strip()
            raw[name] = text
            if text:
                data[name] = _convert(prop, text)
    return data, raw


def display(form: dict | None, data: dict, locale: str) -> list[tuple[str, str]]:
    """``(label, value)`` rows of stored data, labelled and ordered by the form."""
    if not isinstance(data, dict):
        return []
    rows, seen = [], set()
    names = order(form) if form else []
    # With a form, only its fields: what the engine adds to the data (the deployment's
    # province, a computed end date) is internal and has no words for the reader.
    for name in names + ([] if form else list(data)):
        if name not in data or name in seen:
            continue
        seen.add(name)
        rows.append((label(form, name, locale) if form and name in _props(form) else name,
                     display_value(form, name, data[name], locale)))
    return rows


def display_value(form: dict | None, name: str, value, locale: str) -> str:
    """One stored value as text: enum labels, yes/no, lists joined."""
    from flask_babel import gettext as _

    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "、".join(display_value(form, name, v, locale) for v in value)
    if value is None:
        return ""
    if form and name in _props(form) and _enum(_props(form)[name]) is not None:
        return enum_label(form, name, value, locale)
    return str(value)


def unplaced(fields: list[Field], errors: dict | None) -> list[str]:
    """Messages that no rendered field shows (about the case's subject, the whole form…)."""
    names = {f.name for f in fields}
    return [message if key == "_" else f"{key}: {message}"
            for key, message in (errors or {}).items() if key.split(".")[0] not in names]
