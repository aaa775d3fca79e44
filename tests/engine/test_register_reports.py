"""Monitoring-object and aid-measure reports: figures match the register rows written here;
a township sees only its villages; the daily update counts 督办 opened and open."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from reports_support import BPMN, cst, identification, monitored

YEAR = dict(date_from="2026-01-01", date_to="2026-12-31")


def table(view, name):
    return next(t for t in view.tables if t.name == name)


def zh(value):
    return value["zh_CN"] if isinstance(value, dict) else value


@pytest.fixture
def register(eng, users, deploy):
    """东山村: an unstable formerly poor household (illness, industry and employment aid)
    and a marginal one eliminated in November; 李家村: a sudden-hardship household hit by a
    flood; 西河村: a marginal household taken in next year (outside the range)."""
    deploy(BPMN)
    monitored(eng, 1, "360799100001", "脱贫不稳定户", risks="01,07",
              measures="industry,employment")
    monitored(eng, 2, "360799100001", "边缘易致贫户", status="eliminated", measures="industry",
              eliminated=cst(2026, 11, 20))
    monitored(eng, 3, "360799100002", "突发严重困难户", risks="0201", measures="housing_safety",
              identified=cst(2026, 12, 10))
    monitored(eng, 4, "360799200001", "边缘易致贫户", identified=cst(2027, 1, 5))
    return users


def test_monitoring_objects_by_type_risk_and_village(eng, register):
    view = eng.report("monitoring", register["county1"], now=cst(2026, 12, 20),
                      date_from="2026-12-01", date_to="2026-12-31")
    areas = {zh(r[0]): r[1:] for r in table(view, "areas").rows}
    #   objects, unstable, marginal, sudden, untyped, monitored, eliminated, returned, new,
    #   eliminated in the range
    assert areas["东山镇"] == (3, 1, 1, 1, 0, 2, 1, 1, 1, 0)
    assert areas["西河乡"] == (0,) * 10
    assert table(view, "areas").total[1:] == (3, 1, 1, 1, 0, 2, 1, 1, 1, 0)
    risks = {r[1]: (zh(r[0]), *r[2:]) for r in table(view, "risks").rows}
    assert risks == {"01": ("因病", 2, 1, 1), "0201": ("因灾-洪涝", 1, 1, 0),
                     "07": ("务工就业不稳", 1, 1, 0)}
    villages = {r[1]: r[2:] for r in table(view, "villages").rows}
    assert villages == {"东山村": (2, 1, 1, 0, 0, 1, 1, 1, 0, 0),
                        "李家村": (1, 0, 0, 1, 0, 1, 0, 0, 1, 0)}
    assert [s.values for s in view.chart.series] == [[1, 0], [1, 0], [1, 0]]
    november = eng.report("monitoring", register["county1"], now=cst(2026, 12, 20),
                          date_from="2026-11-01", date_to="2026-11-30")
    assert table(november, "areas").total[1:] == (2, 1, 1, 0, 0, 1, 1, 1, 0, 1)


def test_a_township_sees_only_its_villages(eng, register):
    view = eng.report("monitoring", register["township2"], now=cst(2027, 1, 20),
                      date_from="2027-01-01", date_to="2027-01-31")
    assert [(zh(r[0]), r[1]) for r in table(view, "areas").rows] == [("西河村", 1), ("桃源村", 0)]
    assert [r[1] for r in table(view, "villages").rows] == ["西河村"]
    own = eng.report("measures", register["township1"], now=cst(2026, 12, 20), **YEAR)
    assert [c.title["zh_CN"] for c in table(own, "kinds").columns][1:3] == ["东山村", "李家村"]


def test_aid_measures_by_kind(eng, register):
    view = eng.report("measures", register["county1"], now=cst(2026, 12, 20), **YEAR)
    rows = {zh(r[0]): r[1:] for r in table(view, "kinds").rows}
    #  东山镇, 西河乡, total, still monitored
    assert rows == {"产业帮扶": (2, 0, 2, 1), "就业帮扶": (1, 0, 1, 1),
                    "住房安全保障": (1, 0, 1, 1)}
    assert list(rows) == ["产业帮扶", "就业帮扶", "住房安全保障"]      # the form's order
    assert view.headlines[1].value == 0
    sheet = load_workbook(io.BytesIO(eng.report_workbook(
        "measures", register["county1"], now=cst(2026, 12, 20), **YEAR))).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = values.index(["帮扶措施", "东山镇", "西河乡", "合计（户）", "其中风险未消除"])
    assert values[header + 1] == ["产业帮扶", 2, 0, 2, 1]


def test_the_daily_update_counts_supervision(eng, users, deploy):
    deploy(BPMN)
    identification(eng, users, 3, until="home_check")        # home check due 11-19 24:00
    identification(eng, users, 4, until="home_check")
    eng.fire_due(cst(2026, 11, 20, 9))                       # overdue: the township supervises
    view = eng.report("daily", users["county1"], date_to="2026-11-20",
                      now=cst(2026, 11, 20, 16))
    rows = {zh(r[0]): r[-2:] for r in table(view, "areas").rows}
    assert rows == {"东山镇": (1, 1), "西河乡": (1, 1)}
    assert view.headlines[-1].value == 2
    before = eng.report("daily", users["county1"], date_to="2026-11-19",
                        now=cst(2026, 11, 20, 16))
    assert table(before, "areas").total[-2:] == (0, 0)
    township = eng.report("daily", users["township1"], date_to="2026-11-20",
                          now=cst(2026, 11, 20, 16))
    assert {zh(r[0]): r[-2:] for r in table(township, "areas").rows} == {
        "东山村": (0, 0), "李家村": (1, 1)}
    later = cst(2026, 11, 20, 16) + timedelta(days=1)
    next_day = eng.report("daily", users["county1"], date_to="2026-11-21", now=later)
    assert table(next_day, "areas").total[-2:] == (0, 2)
