"""Reports on the register of monitoring objects (监测对象): objects by type, risk type and
village, eliminated and returned to poverty; aid measures by kind.

They read one row per monitoring object (``monitoring_objects`` of the area, by the index on
``village_code``, with the household's type), so they count the register as it stands now;
the date range selects the objects taken in up to its last day, and counts those taken in
and eliminated within it. Risk types and measures are stored as code lists and counted
here; their words come from the latest deployed identification forms.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import and_, case as when, func, select

from .. import policy
from ..directory import area_names
from ..models import DefinitionVersion, Household
from ..register_models import MonitoringObject
from .base import (Chart, Column, Headline, ReportView, Series, Table, child_length, children,
                   label, sums)

OBJECTS, HOUSEHOLDS = MonitoringObject.__table__, Household.__table__
DEFINITIONS = DefinitionVersion.__table__
PROCESS = "monitoring_identification"
TYPES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
TYPE_LABELS = {"脱贫不稳定户": label("脱贫不稳定户", "Formerly poor, unstable"),
               "边缘易致贫户": label("边缘易致贫户", "Marginal, at risk of poverty"),
               "突发严重困难户": label("突发严重困难户", "Sudden severe hardship")}
# The register's status of an object whose risk is eliminated (风险已消除).
ELIMINATED = "eliminated"
FORMERLY_POOR = ("formerly_poor",)


def choice_labels(conn, ref: str, field: str) -> dict[str, dict[str, str]]:
    """Code → words (both languages) of an enum field of the latest identification form."""
    forms = conn.execute(select(DEFINITIONS.c.forms).where(DEFINITIONS.c.key == PROCESS)
                         .order_by(DEFINITIONS.c.version.desc()).limit(1)).scalar()
    form = (forms or {}).get(ref) or {}
    if isinstance(form, str):
        form = json.loads(form)
    ui = form.get("ui", {})
    prop = form.get("schema", {}).get("properties", {}).get(field, {})
    codes = (prop.get("items") or prop).get("enum") or []
    zh, en = ui.get("enum_labels", {}).get(field, {}), ui.get("enum_labels_en", {}).get(field, {})
    return {str(c): label(zh.get(str(c), str(c)), en.get(str(c), zh.get(str(c), str(c))))
            for c in codes}


def _grouped(conn, filters, *keys: str) -> list:
    """The objects of the area taken in by the range's end, counted (``n``) by ``keys`` of:
    village_code, status, object_type, risk_types, aid_measures, ``poor`` (a formerly poor
    household), ``new`` (taken in within the range), ``eliminated_in`` (eliminated within
    it). One row per object is read by the index on ``village_code`` and the household by
    its key; the database counts, so a county's tens of thousands become a few rows."""
    start, end = filters.bounds()
    flag = (lambda condition, name: when((condition, 1), else_=0).label(name))
    rows = select(
        OBJECTS.c.village_code, OBJECTS.c.status, OBJECTS.c.object_type,
        OBJECTS.c.risk_types, OBJECTS.c.aid_measures,
        flag(HOUSEHOLDS.c.household_type.in_(FORMERLY_POOR), "poor"),
        flag(OBJECTS.c.identified_at >= start, "new"),
        flag(and_(OBJECTS.c.eliminated_at >= start, OBJECTS.c.eliminated_at < end),
             "eliminated_in")).join(
        HOUSEHOLDS, HOUSEHOLDS.c.id == OBJECTS.c.household_id).where(
        policy.prefix_range(OBJECTS.c.village_code, filters.area),
        OBJECTS.c.identified_at < end).subquery()
    columns = [rows.c[key] for key in keys]
    return conn.execute(select(*columns, func.count().label("n")).group_by(*columns)).all()


def _codes(text: str) -> list[str]:
    return [c for c in (text or "").split(",") if c]


class _Count:
    """One area's figures: objects by type, monitored, eliminated, returned, new."""

    def __init__(self):
        self.values = [0] * 10

    def add(self, r) -> None:
        v, n = self.values, r.n
        v[0] += n
        v[1 + (TYPES.index(r.object_type) if r.object_type in TYPES else 3)] += n
        eliminated = r.status == ELIMINATED
        v[6 if eliminated else 5] += n
        # 返贫: a formerly poor household monitored again for the risk of poverty
        v[7] += n * int(not eliminated and (r.poor or r.object_type == TYPES[0]))
        v[8] += n * r.new
        v[9] += n * int(eliminated and r.eliminated_in)


COLUMNS = [Column("objects", label("监测对象", "Objects")),
           *[Column(f"type{i}", TYPE_LABELS[t]) for i, t in enumerate(TYPES)],
           Column("untyped", label("类型未定", "Type not set")),
           Column("monitoring", label("监测中", "Monitored")),
           Column("eliminated", label("风险已消除", "Eliminated")),
           Column("returned", label("返贫风险", "Relapse risk")),
           Column("new", label("期间新纳入", "Taken in in the range")),
           Column("eliminated_in", label("期间消除", "Eliminated in the range"))]


def monitoring(conn, actor, filters, now: datetime) -> ReportView:
    """Monitoring objects by area below and by village: by type, monitored, eliminated,
    returned to poverty, taken in and eliminated in the range; and by risk type."""
    length = child_length(filters.area)
    parts, villages, risks = {}, {}, {}
    for r in _grouped(conn, filters, "village_code", "status", "object_type", "poor", "new",
                      "eliminated_in"):
        parts.setdefault(r.village_code[:length], _Count()).add(r)
        villages.setdefault(r.village_code, _Count()).add(r)
    for r in _grouped(conn, filters, "risk_types", "status"):
        for code in _codes(r.risk_types):
            risk = risks.setdefault(code, [0, 0, 0])
            risk[0] += r.n
            risk[1 if r.status != ELIMINATED else 2] += r.n
    names = dict(children(conn, filters.area)) | area_names(
        conn, list(villages) + [c[:9] for c in villages])
    order = [code for code, _ in children(conn, filters.area)]
    area_rows = [(names.get(code, code), *parts.get(code, _Count()).values)
                 for code in order + sorted(set(parts) - set(order))]
    village_rows = [(names.get(code[:9], code[:9]), names.get(code, code),
                     *villages[code].values) for code in sorted(villages)]
    words = choice_labels(conn, "identification/declaration.json", "risk_types")
    risk_rows = [(words.get(code, label(code, code)), code, *risks[code])
                 for code in [c for c in words if c in risks] + sorted(set(risks) - set(words))]
    total = sums(area_rows, 1, (label("合计", "Total"),))
    area_column = Column("area", label("区域", "Area"), "text")
    chart = Chart("stacked", [r[0] for r in area_rows], [
        Series(TYPE_LABELS[t], [r[2 + i] for r in area_rows]) for i, t in enumerate(TYPES)])
    return ReportView(
        "monitoring", label("监测对象统计", "Monitoring objects"), filters, now,
        [Table("areas", label("按区域", "By area"), [area_column, *COLUMNS], area_rows,
               total if area_rows else None, label("没有监测对象", "No monitoring objects")),
         Table("risks", label("按风险类型", "By risk type"),
               [Column("risk", label("风险类型", "Risk type"), "label"),
                Column("code", label("代码", "Code"), "text"),
                Column("objects", label("监测对象（户）", "Households")),
                Column("monitoring", label("监测中", "Monitored")),
                Column("eliminated", label("风险已消除", "Risk eliminated"))], risk_rows,
               sums(risk_rows, 2, (label("合计（一户可有多项）", "Total (several per household)"),
                                   "")) if risk_rows else None,
               label("没有监测对象", "No monitoring objects")),
         Table("villages", label("按村", "By village"),
               [Column("township", label("乡镇", "Township"), "text"),
                Column("village", label("村", "Village"), "text"), *COLUMNS],
               village_rows, sums(village_rows, 2, (label("合计", "Total"), ""))
               if village_rows else None, label("没有监测对象", "No monitoring objects"))],
        chart,
        [Headline(label("监测对象", "Monitoring objects"), total[1] if area_rows else 0),
         Headline(label("风险已消除", "Risk eliminated"), total[7] if area_rows else 0),
         Headline(label("返贫风险（脱贫户在监测）", "Formerly poor, monitored again"),
                  total[8] if area_rows else 0)],
        [label("统计截至所选期间最后一天已纳入的监测对象（户），按登记的当前状态计；“监测中”为风险"
               "未消除的户，“风险已消除”为状态“风险已消除”的户，“返贫风险”为脱贫户（含脱贫不稳定户）"
               "中风险未消除的户。",
               "Monitoring objects (households) taken in by the range's last day, by their "
               "status now; 'monitored': risk not eliminated; 'eliminated': marked risk "
               "eliminated in the register; 'relapse risk': formerly poor households (脱贫户, "
               "脱贫不稳定户) whose risk is not eliminated.")])


def measures(conn, actor, filters, now: datetime) -> ReportView:
    """Aid measures by kind (帮扶措施): households with each measure in their aid plan, in
    each area below, and how many of them are still monitored."""
    length = child_length(filters.area)
    parts = children(conn, filters.area)
    codes_of_parts = [code for code, _ in parts]
    counted: dict[str, dict[str, int]] = {}
    monitored: dict[str, int] = {}
    without = objects = 0
    for r in _grouped(conn, filters, "village_code", "aid_measures", "status"):
        kinds = _codes(r.aid_measures)
        objects += r.n
        without += r.n * (not kinds)
        for kind in kinds:
            per_area = counted.setdefault(kind, {})
            per_area[r.village_code[:length]] = per_area.get(r.village_code[:length], 0) + r.n
            monitored[kind] = monitored.get(kind, 0) + r.n * int(r.status != ELIMINATED)
    extra = sorted({code for per in counted.values() for code in per} - set(codes_of_parts))
    area_codes = codes_of_parts + extra
    names = dict(parts) | area_names(conn, extra)
    words = choice_labels(conn, "identification/aid_plan.json", "measures")
    kinds = [k for k in words if k in counted] + sorted(set(counted) - set(words))
    table_rows = []
    for kind in kinds:
        per_area = [counted[kind].get(code, 0) for code in area_codes]
        table_rows.append((words.get(kind, label(kind, kind)), *per_area, sum(per_area),
                           monitored.get(kind, 0)))
    columns = [Column("measure", label("帮扶措施", "Aid measure"), "label"),
               *[Column(code, {"zh_CN": names.get(code, code), "en": names.get(code, code)})
                 for code in area_codes],
               Column("total", label("合计（户）", "Total (households)")),
               Column("monitoring", label("其中风险未消除", "Of which still monitored"))]
    chart = Chart("bar", [r[0] for r in table_rows], [
        Series(label("享受该措施的户数", "Households with the measure"),
               [r[-2] for r in table_rows])])
    total = sums(table_rows, 1, (label("合计（一户可有多项）", "Total (several per household)"),))
    return ReportView(
        "measures", label("帮扶措施统计（按类别）", "Aid measures by kind"), filters, now,
        [Table("kinds", label("按措施类别", "By kind of measure"), columns, table_rows,
               total if table_rows else None, label("没有帮扶措施", "No aid measures"))], chart,
        [Headline(label("监测对象", "Monitoring objects"), objects),
         Headline(label("尚无帮扶措施的户", "Households without a measure"), without,
                  without == 0)],
        [label("按监测对象帮扶计划中的措施统计，一户可有多项措施（“一户一策”）；统计截至所选期间"
               "最后一天已纳入的监测对象。",
               "Counted from the measures in each monitoring object's aid plan (a household "
               "may have several); objects taken in by the range's last day.")])
