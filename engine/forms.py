"""Forms: a JSON Schema per user task with UI hints, validated on the server.

A form file holds ``title``, ``instructions``, ``schema`` (JSON Schema 2020-12) and ``ui``
(field order, widgets, labels). Validation reports one message per field, in Chinese or
English, and knows the formats ``date``, ``date-not-future``, ``cn-id-number`` and
``cn-phone``. A property may carry its own messages per failed keyword in ``x-messages`` (and
``x-messages-en``), e.g. ``{"minItems": "入户核实至少需要 2 人"}``.
"""
from __future__ import annotations

import json
import re
from datetime import date

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from .errors import InvalidData, InvalidDefinition

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_number_problem(value: str) -> str | None:
    """Why ``value`` is not a valid 18-character resident ID number, or None if it is."""
    if not isinstance(value, str) or len(value) != 18:
        return "length"
    body, check = value[:17], value[17].upper()
    if not body.isdigit() or not (check.isdigit() or check == "X"):
        return "characters"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "birthdate"
    if ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11] != check:
        return "checksum"
    return None


def mask_id_number(value: str | None) -> str:
    """Show only the first 6 and last 4 characters of an ID number."""
    if not value:
        return ""
    return value[:6] + "*" * max(len(value) - 10, 0) + value[-4:] if len(value) > 10 else "****"


# A mainland mobile number, or a landline with its area code (0371-12345678, 01012345678),
# optionally with an extension after a hyphen.
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?")


def is_phone(value) -> bool:
    """Whether ``value`` is a mainland mobile number or a landline with its area code."""
    return not isinstance(value, str) or PHONE.fullmatch(value) is not None


def _is_date(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def checker(today: date) -> FormatChecker:
    """A format checker for dates, dates not after ``today`` and ID numbers."""
    check = FormatChecker(formats=())
    check.checks("date")(_is_date)
    check.checks("date-not-future")(
        lambda v: not isinstance(v, str) or (_is_date(v) and date.fromisoformat(v) <= today))
    check.checks("cn-id-number")(lambda v: not isinstance(v, str) or id_number_problem(v) is None)
    check.checks("cn-phone")(is_phone)
    return check


MESSAGES = {
    "zh_CN": {"required": "必填", "type": "类型不正确", "numberType": "请填写数字",
              "integerType": "请填写整数", "enum": "请从选项中选择",
              "const": "必须确认", "minimum": "不能小于 {limit}", "maximum": "不能大于 {limit}",
              "minItems": "至少选择 {limit} 项", "minItemsText": "至少填写 {limit} 项",
              "maxItems": "最多选择 {limit} 项", "maxItemsText": "最多填写 {limit} 项",
              "uniqueItems": "不能重复", "minLength": "至少 {limit} 个字符",
              "maxLength": "最多 {limit} 个字符", "additionalProperties": "不允许的字段",
              "date": "日期格式应为 YYYY-MM-DD", "date-not-future": "日期不能晚于今天",
              "cn-id-number": "身份证号码无效（应为 18 位，校验位正确）",
              "cn-phone": "电话号码无效：手机号为 1 开头的 11 位数字，固定电话须带区号（如 0371-12345678）",
              "other": "无效"},
    "en": {"required": "required", "type": "wrong type", "numberType": "enter a number",
           "integerType": "enter a whole number", "enum": "choose one of the options",
           "const": "must be confirmed", "minimum": "must be at least {limit}",
           "maximum": "must be at most {limit}", "minItems": "choose at least {limit}",
           "minItemsText": "enter at least {limit}", "maxItemsText": "enter at most {limit}",
           "maxItems": "choose at most {limit}", "uniqueItems": "must not repeat",
           "minLength": "at least {limit} characters", "maxLength": "at most {limit} characters",
           "additionalProperties": "field not allowed", "date": "date must be YYYY-MM-DD",
           "date-not-future": "date cannot be in the future",
           "cn-id-number": "invalid ID number (18 characters with a valid check digit)",
           "cn-phone": "invalid phone number: a mobile number is 11 digits starting with 1, "
                       "a landline needs its area code (e.g. 0371-12345678)",
           "other": "invalid"},
}


# Bounds every form gets where its schema sets none: no string, list or number without a
# limit reaches the validator (``uniqueItems`` on a long list of objects is quadratic) or
# the database (PostgreSQL refuses integers past 64 bits).
DEFAULT_BOUNDS = {"string": {"maxLength": 2_000}, "array": {"maxItems": 100},
                  "integer": {"minimum": -(2 ** 53 - 1), "maximum": 2 ** 53 - 1},
                  "number": {"minimum": -1e15, "maximum": 1e15}}


def bounded(schema):
    """The schema with ``DEFAULT_BOUNDS`` filled in on every typed subschema (in place)."""
    if isinstance(schema, list):
        for item in schema:
            bounded(item)
    elif isinstance(schema, dict):
        kinds = schema.get("type")
        for kind in kinds if isinstance(kinds, list) else [kinds]:
            for key, value in DEFAULT_BOUNDS.get(kind, {}).items():
                schema.setdefault(key, value)
        for key, value in schema.items():
            if key in ("properties", "$defs", "patternProperties"):
                for sub in value.values() if isinstance(value, dict) else []:
                    bounded(sub)
            elif key in ("items", "prefixItems", "allOf", "anyOf", "oneOf", "not", "if",
                         "then", "else", "additionalProperties", "contains"):
                bounded(value)
    return schema


def _oversized(schema: dict, data, path: str = "") -> dict[str, tuple[str, int]]:
    """Lists longer than the schema allows, found without the full validator (whose
    ``uniqueItems`` costs the square of a list's length)."""
    found = {}
    if isinstance(data, dict) and isinstance(schema.get("properties"), dict):
        for name, value in data.items():
            sub = schema["properties"].get(name)
            if isinstance(sub, dict):
                found.update(_oversized(sub, value, f"{path}.{name}" if path else name))
    elif isinstance(data, list):
        if isinstance(schema.get("maxItems"), int) and len(data) > schema["maxItems"]:
            typed = "enum" not in (schema.get("items") or {})
            return {path or "_": ("maxItemsText" if typed else "maxItems", schema["maxItems"])}
        if isinstance(schema.get("items"), dict):
            for index, value in enumerate(data):
                found.update(_oversized(schema["items"], value, f"{path}.{index}"))
    return found


def load(ref: str, text: str) -> dict:
    """Parse and check one form file; InvalidDefinition names the file on any problem."""
    try:
        form = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidDefinition(f"forms/{ref}: not valid JSON: {err}") from None
    if not isinstance(form, dict) or not isinstance(form.get("schema"), dict):
        raise InvalidDefinition(f"forms/{ref}: a form file needs a 'schema' object")
    try:
        Draft202012Validator.check_schema(form["schema"])
    except SchemaError as err:
        raise InvalidDefinition(f"forms/{ref}: not a valid JSON Schema: {err.message}") from None
    form.setdefault("ui", {})
    bounded(form["schema"])
    return form


def _field(error) -> str:
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path.append(missing)
    elif error.validator == "additionalProperties":
        extra = error.message.split("'")[1] if "'" in error.message else ""
        path.append(extra)
    return ".".join(str(p) for p in path) or "_"


def _message(error, texts: dict, locale: str) -> str:
    """The message for one validation error: the property's own (``x-messages``), else the
    standard one for its keyword (lists of typed entries are "filled in", not "chosen")."""
    kind = error.validator if error.validator != "format" else error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    own = schema.get("x-messages-en" if locale == "en" else "x-messages") or {}
    if isinstance(own.get(kind), str):
        return own[kind]
    if kind in ("minItems", "maxItems") and "enum" not in (schema.get("items") or {}):
        kind += "Text"
    elif kind == "type" and error.validator_value in ("number", "integer"):
        kind = error.validator_value + "Type"
    return texts.get(kind, texts["other"]).format(limit=error.validator_value)


def errors_of(form: dict, data: dict, today: date, locale: str = "zh_CN") -> dict[str, str]:
    """Field path → message for everything wrong with ``data``; empty when valid."""
    texts = MESSAGES.get(locale, MESSAGES["zh_CN"])
    oversized = _oversized(form["schema"], data)
    if oversized:  # refused before the validator spends time on it
        return {k: texts[kind].format(limit=limit) for k, (kind, limit) in oversized.items()}
    validator = Draft202012Validator(form["schema"], format_checker=checker(today))
    found: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        found.setdefault(_field(error), _message(error, texts, locale))
    return found


def validate(form: dict, data: dict, today: date, locale: str = "zh_CN") -> None:
    """Raise InvalidData naming each wrong field, or return when ``data`` fits the form."""
    if not isinstance(data, dict):
        raise InvalidData("data must be a JSON object")
    found = errors_of(form, data, today, locale)
    if found:
        labels = form["schema"].get("properties", {})
        parts = [f"{labels.get(k.split('.')[0], {}).get('title', k)} ({k}): {v}"
                 for k, v in found.items()]
        raise InvalidData("invalid form data: " + "; ".join(parts), found)
