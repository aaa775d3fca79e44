"""The hand-entered part of the 走访慰问情况统计表 (notice 000): what the visit records cannot
know — honoured persons visited, leaders' visits by level, money and goods, meetings, the
highlights and cases — as a list of fields, checked here.

Values are kept as entered (numbers as numbers, money in 万元 as a decimal string, text);
a field left empty is "not filled" and the workbook writes 无 for it, as the notice asks
(各项有情况即统计，无情况请填写无).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..errors import InvalidData
from .base import label


@dataclass(frozen=True)
class Field:
    """A hand-entered field: key, words, kind (``int``, ``wan`` (万元), ``text``, ``lines``:
    one item a line, each at most 100 characters) and the notice section it belongs to."""

    key: str
    title: dict[str, str]
    kind: str
    section: str


HONOURS = [("models", "全国脱贫攻坚楷模或其家属（人、户）",
            "National exemplars of poverty alleviation or their families"),
           ("paragons", "全国脱贫攻坚模范或其家属（人、户）",
            "National models of poverty alleviation or their families"),
           ("martyrs", "脱贫攻坚殉职人员家属（户）",
            "Families of those who died on duty (households)"),
           ("advanced", "各级脱贫攻坚先进个人（人）", "Advanced individuals, every level")]
# (key, words, English, how the leaders are named: by name, by number, or a bureau)
LEADERS = [("province_party", "省委主要领导", "Provincial Party secretary", "named"),
           ("province_government", "省政府主要领导", "Governor", "named"),
           ("province_other", "其他省级领导", "Other provincial leaders", "count"),
           ("city", "市领导", "City leaders", "count"),
           ("county", "县领导", "County leaders", "count"),
           ("province_bureau", "省乡村振兴局（协作办）", "Provincial bureau", "unit"),
           ("city_bureau", "市乡村振兴局", "City bureau", "unit"),
           ("county_bureau", "县乡村振兴局", "County bureau", "unit")]
PRACTICES = [("deployment", "亮点措施（含部署安排情况）", "Highlight measures (with the arrangements)"),
             ("practices", "亮点做法", "Highlight practices"),
             ("cases", "典型案例", "Typical cases"),
             ("other_practices", "其他", "Other")]


def _fields() -> list[Field]:
    found = [Field(key, label(zh, en), "int", "honours") for key, zh, en in HONOURS]
    for key, zh, en, kind in LEADERS:
        if kind == "named":
            found.append(Field(f"{key}_who", label(f"{zh}（姓名）", f"{en} (name)"), "text",
                               "leaders"))
        elif kind == "count":
            found.append(Field(f"{key}_who", label(f"{zh}（人数）", f"{en} (number)"), "int",
                               "leaders"))
        found += [Field(f"{key}_households", label(f"{zh}走访慰问（户）",
                                                   f"{en}: households visited"), "int",
                        "leaders"),
                  Field(f"{key}_persons", label(f"{zh}走访慰问（人）", f"{en}: persons visited"),
                        "int", "leaders")]
    found += [Field("money", label("慰问金（万元）", "Condolence money (10,000 yuan)"), "wan",
                    "measures"),
              Field("goods", label("慰问品（简述）", "Goods given (in brief)"), "text", "measures"),
              Field("goods_value", label("慰问品折合金额（万元）", "Goods worth (10,000 yuan)"),
                    "wan", "measures"),
              Field("meetings", label("召开座谈会或茶话会等（个）", "Meetings, tea parties (number)"),
                    "int", "measures"),
              Field("other_measures", label("其他", "Other"), "text", "measures")]
    found += [Field(key, label(zh, en), "lines", "practices") for key, zh, en in PRACTICES]
    return found


FIELDS = _fields()
BY_KEY = {f.key: f for f in FIELDS}
MAX_INT, MAX_WAN, MAX_TEXT, MAX_LINES, MAX_LINE = 10_000_000, Decimal(1_000_000), 200, 3000, 100


def check(raw: dict) -> dict:
    """The entered values made clean: only known fields, numbers as numbers, empty ones
    left out; ``InvalidData`` naming every field that is wrong, nothing kept then."""
    if not isinstance(raw, dict):
        raise InvalidData("the entries must be a set of fields", {"data": "not an object"})
    errors, clean = {}, {}
    for key in raw:
        if key not in BY_KEY:
            errors[key] = "not a field of this table"
    for field in FIELDS:
        value = raw.get(field.key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        problem, value = _one(field, value)
        if problem:
            errors[field.key] = problem
        else:
            clean[field.key] = value
    if errors:
        raise InvalidData("invalid entries: " + "; ".join(f"{k}: {v}" for k, v in
                                                           errors.items()), errors)
    return clean


def _one(field: Field, value) -> tuple[str, object]:
    if field.kind == "int":
        if isinstance(value, bool):
            return "a whole number, 0 or more", None
        try:
            number = int(str(value).strip())
        except ValueError:
            return "a whole number, 0 or more", None
        if not 0 <= number <= MAX_INT:
            return f"a whole number from 0 to {MAX_INT}", None
        return "", number
    if field.kind == "wan":
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            return "an amount in 万元 (10,000 yuan), e.g. 1.25", None
        if not amount.is_finite() or not 0 <= amount <= MAX_WAN:
            return "an amount in 万元 from 0 to 1000000", None
        if amount != amount.quantize(Decimal("0.0001")):
            return "at most four decimals (万元 to the yuan)", None
        text = f"{amount.quantize(Decimal('0.0001')):f}"
        return "", text.rstrip("0").rstrip(".") if "." in text else text
    text = str(value).replace("\r\n", "\n").strip()
    if field.kind == "text":
        text = " ".join(text.split())
        return (f"at most {MAX_TEXT} characters", None) if len(text) > MAX_TEXT else ("", text)
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if sum(len(line) for line in lines) > MAX_LINES:
        return f"at most {MAX_LINES} characters in all", None
    long = [i for i, line in enumerate(lines, start=1) if len(line) > MAX_LINE]
    if long:
        return (f"each item at most {MAX_LINE} characters (item {long[0]} has "
                f"{len(lines[long[0] - 1])})"), None
    return "", "\n".join(lines)


def leader_text(data: dict, key: str, kind: str) -> str:
    """A leaders' cell as the notice writes it: ***同志走访慰问**户**人, **位…领导走访慰问
    **户**人, 走访慰问**户**人; 无 when nothing was entered."""
    who = data.get(f"{key}_who")
    households, persons = data.get(f"{key}_households"), data.get(f"{key}_persons")
    if who in (None, "", 0) and not households and not persons:
        return "无"
    visited = f"走访慰问{households or 0}户{persons or 0}人"
    zh = next(z for k, z, _e, _kind in LEADERS if k == key)
    if kind == "named":
        return f"{who or '—'}同志{visited}"
    if kind == "count":
        return f"{who or 0}位{zh.removeprefix('其他')}{visited}"
    return visited
