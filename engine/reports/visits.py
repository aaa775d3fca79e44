"""走访慰问情况统计表 (notice 000): households visited by type — counted from the monthly
visit records — with the figures only people know (honoured persons, leaders' visits by
level, money and goods, meetings, highlights and cases) entered by hand for the area and
period (``entries``). ``visit_sheet`` writes it in the notice's own layout.

A household counts once however often it was visited in the range; its type is the
register's (监测对象类型 of ``monitoring_objects``; 受灾户: a disaster risk type, codes 02…;
脱贫户: ``household_type`` formerly_poor), persons are its members.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from .. import policy
from ..clue_models import HouseholdVisit
from ..models import Household
from ..register_models import MonitoringObject
from . import entries
from .base import (Chart, Column, Headline, ReportView, Series, Table, child_length, children,
                   label, sums)
from .register import TYPE_LABELS, TYPES
from .visit_fields import BY_KEY, HONOURS, LEADERS, PRACTICES, leader_text

VISITS, HOUSEHOLDS = HouseholdVisit.__table__, Household.__table__
OBJECTS = MonitoringObject.__table__
GROUPS = [*TYPES, "disaster", "formerly_poor"]
GROUP_LABELS = {**TYPE_LABELS, "disaster": label("受灾户", "Disaster-hit"),
                "formerly_poor": label("脱贫户", "Formerly poor")}
TITLE = label("走访慰问情况统计表", "Visits and condolences (走访慰问情况统计表)")


def visited(conn, filters) -> list:
    """(village, members, household type, object type, risk types, visits) of each
    household visited in the range, read by the visits' (month, village) index."""
    first, last = filters.date_from, filters.date_to
    found = select(VISITS.c.household_id, func.count().label("visits")).where(
        VISITS.c.month >= first.strftime("%Y-%m"), VISITS.c.month <= last.strftime("%Y-%m"),
        policy.prefix_range(VISITS.c.village_code, filters.area),
        VISITS.c.visited_on >= first, VISITS.c.visited_on <= last).group_by(
        VISITS.c.household_id).subquery()
    return conn.execute(select(
        HOUSEHOLDS.c.village_code, HOUSEHOLDS.c.members, HOUSEHOLDS.c.household_type,
        OBJECTS.c.object_type, OBJECTS.c.risk_types, found.c.visits).select_from(
        found.join(HOUSEHOLDS, HOUSEHOLDS.c.id == found.c.household_id).outerjoin(
            OBJECTS, OBJECTS.c.household_id == found.c.household_id))).all()


def groups_of(row) -> list[str]:
    """The table's groups a visited household counts in."""
    found = [row.object_type] if row.object_type in TYPES else []
    if any(code.startswith("02") for code in (row.risk_types or "").split(",")):
        found.append("disaster")
    if row.household_type == "formerly_poor":
        found.append("formerly_poor")
    return found


def visits(conn, actor, filters, now: datetime) -> ReportView:
    """Households and persons visited by type in each area below; the hand-entered parts of
    the notice's table for the filters' area and period."""
    length = child_length(filters.area)
    parts = children(conn, filters.area)
    counts: dict[str, list[int]] = {}
    for r in visited(conn, filters):
        v = counts.setdefault(r.village_code[:length], [0] * (2 * len(GROUPS) + 3))
        for group in groups_of(r):
            i = GROUPS.index(group)
            v[2 * i] += 1
            v[2 * i + 1] += r.members or 0
        v[-3] += 1
        v[-2] += r.members or 0
        v[-1] += r.visits
    names = dict(parts)
    codes = [c for c, _ in parts] + sorted(set(counts) - set(names))
    rows = [(names.get(code, code), *counts.get(code, [0] * (2 * len(GROUPS) + 3)))
            for code in codes]
    columns = [Column("area", label("区域", "Area"), "text")]
    for group in GROUPS:
        words = GROUP_LABELS[group]
        columns += [Column(f"{group}_households", label(f"{words['zh_CN']}（户）",
                                                        f"{words['en']} (households)")),
                    Column(f"{group}_persons", label(f"{words['zh_CN']}（人）",
                                                     f"{words['en']} (persons)"))]
    columns += [Column("households", label("走访户数合计", "Households visited")),
                Column("persons", label("涉及人数", "Persons")),
                Column("visits", label("走访次数", "Visits"))]
    total = sums(rows, 1, (label("合计", "Total"),))
    entry = entries.read(conn, "visits", filters)
    data = entry.data
    chart = Chart("stacked", [r[0] for r in rows], [
        Series(GROUP_LABELS[g], [r[1 + 2 * i] for r in rows]) for i, g in enumerate(GROUPS)
        if g != "disaster"])
    return ReportView(
        "visits", TITLE, filters, now,
        [Table("visited", label("走访慰问人数（按走访记录）", "Households visited (from the visit records)"),
               columns, rows, total),
         Table("honours", label("走访慰问先进模范和殉职人员家属（手工填报）",
                                "Honoured persons and families visited (entered by hand)"),
               [Column(key, BY_KEY[key].title) for key, _z, _e in HONOURS],
               [tuple(data.get(key) for key, _z, _e in HONOURS)]),
         Table("leaders", label("开展走访慰问领导、部门及人数（手工填报）",
                                "Leaders and departments who visited (entered by hand)"),
               [Column("level", label("领导、部门", "Leaders, department"), "label"),
                Column("who", label("姓名或人数", "Name or number"), "text"),
                Column("households", label("走访慰问户数", "Households")),
                Column("persons", label("走访慰问人数", "Persons")),
                Column("text", label("表中写法", "As the table writes it"), "text")],
               [(label(zh, en), data.get(f"{key}_who"), data.get(f"{key}_households"),
                 data.get(f"{key}_persons"), leader_text(data, key, kind))
                for key, zh, en, kind in LEADERS]),
         Table("measures", label("走访慰问措施（手工填报）", "Measures (entered by hand)"),
               [Column("money", BY_KEY["money"].title, "text"),
                Column("goods", BY_KEY["goods"].title, "text"),
                Column("goods_value", BY_KEY["goods_value"].title, "text"),
                Column("meetings", BY_KEY["meetings"].title),
                Column("other_measures", BY_KEY["other_measures"].title, "text")],
               [tuple(data.get(k) for k in ("money", "goods", "goods_value", "meetings",
                                            "other_measures"))]),
         Table("practices", label("主要做法和案例（手工填报）", "Practices and cases (entered by hand)"),
               [Column("item", label("项目", "Item"), "label"),
                Column("text", label("内容（每条不超过100字）", "Text (each item ≤ 100 characters)"),
                       "text")],
               [(label(zh, en), data.get(key)) for key, zh, en in PRACTICES])],
        chart,
        [Headline(label("走访户数", "Households visited"), total[-3]),
         Headline(label("其中监测户", "Of which monitoring objects"),
                  sum(total[1 + 2 * i] for i in range(len(TYPES)))),
         Headline(label("手工填报", "Entered by hand"),
                  label(f"第 {entry.version} 版，{entry.updated_by} 填报", f"version "
                        f"{entry.version}, by {entry.updated_by}") if entry.version else
                  label("尚未填报", "not yet entered"), bool(entry.version))],
        [label("走访户数按所选期间内的入户走访记录统计，一户多次走访计一户；户的类型按监测对象"
               "登记，受灾户为风险类型含因灾的户。领导走访、慰问金和慰问品、座谈会、做法和案例"
               "由本级按区域和期间手工填报；未填的项目在导出的表中写“无”。",
               "Households visited are counted from the visit records of the range, each "
               "household once; its type is the register's, disaster-hit households have a "
               "disaster risk type. Leaders' visits, money and goods, meetings, practices and "
               "cases are entered by hand for the area and period; the workbook writes 无 for "
               "what was not entered.")])
