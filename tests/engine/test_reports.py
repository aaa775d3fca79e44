"""Reports: each figure matches cases built here through the engine verbs; the deadline
rule decides on time and late; users see only their area; workbooks open with openpyxl."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from engine import Forbidden, InvalidData, NotFound, deadline_outcome
from reports_support import BPMN, cst, identification

T1, T2 = "360799100", "360799200"
DEADLINE = datetime(2026, 12, 1, 23, 59, 59, tzinfo=cst(2026, 1, 1).tzinfo)
NOV = dict(date_from="2026-11-01", date_to="2026-12-31")


@pytest.fixture
def county(deploy, users):
    deploy(BPMN)
    return users


def table(view, name="areas"):
    return next(t for t in view.tables if t.name == name)


def zh(value):
    return value["zh_CN"] if isinstance(value, dict) else value


def rows_by_area(view, name="areas"):
    return {zh(r[0]): r[1:] for r in table(view, name).rows}


# -- the deadline rule ----------------------------------------------------------------

@pytest.mark.parametrize("met, ended, status, now, state, late", [
    (DEADLINE, None, "running", cst(2026, 12, 9), "on_time", 0),           # at the last second
    (cst(2026, 11, 24), cst(2026, 11, 30), "completed", cst(2026, 12, 9), "on_time", 0),
    (DEADLINE + timedelta(seconds=1), None, "running", cst(2026, 12, 9), "late", 1),
    (cst(2026, 12, 4, 9), None, "running", cst(2026, 12, 9), "late", 3),
    (None, None, "running", cst(2026, 12, 1, 23), "open", 0),
    (None, None, "running", cst(2026, 12, 3), "overdue", 2),
    (None, cst(2026, 11, 20), "rejected", cst(2026, 12, 9), "closed", 0),  # refused early
    (None, cst(2026, 12, 5), "cancelled", cst(2026, 12, 9), "late", 4),    # ended past it
])
def test_deadline_outcome(met, ended, status, now, state, late):
    outcome = deadline_outcome(DEADLINE, met, ended, status, now, date(2026, 11, 16))
    assert (outcome.state, outcome.days_late) == (state, late)


def test_a_deadline_at_midnight_ends_the_day_before():
    midnight = datetime(2026, 12, 1, 16, 0, tzinfo=timezone.utc)     # 12-02 00:00 in China
    assert deadline_outcome(midnight, cst(2026, 12, 2, 9), None, "running",
                            cst(2026, 12, 9)).days_late == 1
    assert deadline_outcome(None, None, None, "running", cst(2026, 12, 9)).state == "none"


def test_days_taken_count_from_the_day_after_discovery():
    outcome = deadline_outcome(DEADLINE, cst(2026, 11, 24), None, "running",
                               cst(2026, 12, 9), date(2026, 11, 16))
    assert outcome.days_taken == 8


# -- compliance ------------------------------------------------------------------------

@pytest.fixture
def decided(eng, county):
    """On time in 东山村, late in 李家村 (both 东山镇), and one still open in 西河村 (西河乡)."""
    on_time = identification(eng, county, 1, decided_at=cst(2026, 11, 24))
    late = identification(eng, county, 3, decided_at=cst(2026, 12, 3))
    still_open = identification(eng, county, 4)
    return on_time, late, still_open


def test_compliance_by_township(eng, users, decided):
    view = eng.report("compliance", users["county1"], now=cst(2026, 12, 5), **NOV)
    by_area = rows_by_area(view)
    #            cases on_time late rate average longest open overdue closed
    assert by_area["东山镇"] == (2, 1, 1, Decimal("50.0"), 12.5, 17, 0, 0, 0)
    assert by_area["西河乡"] == (1, 0, 0, None, None, None, 0, 1, 0)
    assert table(view).total[1:] == (3, 1, 1, Decimal("50.0"), 12.5, 17, 0, 1, 0)
    late = table(view, "late").rows
    assert [(r[0], r[2], r[3], r[4], r[5], r[6]) for r in late] == [
        (decided[1], "李家村", date(2026, 11, 16), date(2026, 12, 1), date(2026, 12, 3), 2)]
    assert view.headlines[0].value == "50.0%" and view.headlines[0].ok is False
    assert view.chart.categories == ["东山镇", "西河乡"]
    assert [s.values for s in view.chart.series] == [[1, 0], [1, 0], [0, 1]]


def test_compliance_before_the_limit_passes(eng, users, decided):
    view = eng.report("compliance", users["county1"], now=cst(2026, 11, 30), **NOV)
    assert rows_by_area(view)["西河乡"][6:8] == (1, 0)      # open, within the limit


def test_a_township_sees_its_villages_and_a_village_itself(eng, users, decided):
    township = eng.report("compliance", users["township1"], now=cst(2026, 12, 5), **NOV)
    assert rows_by_area(township) == {
        "东山村": (1, 1, 0, Decimal("100.0"), 8.0, 8, 0, 0, 0),
        "李家村": (1, 0, 1, Decimal("0.0"), 17.0, 17, 0, 0, 0)}
    village = eng.report("compliance", users["village12"], now=cst(2026, 12, 5), **NOV)
    assert list(rows_by_area(village)) == ["李家村"]
    assert table(village).total[1] == 1
    with pytest.raises(Forbidden):
        eng.report("compliance", users["township1"], area=T2, now=cst(2026, 12, 5))
    with pytest.raises(Forbidden):
        eng.report("compliance", users["village11"], area="360799100002")
    narrowed = eng.report("compliance", users["county1"], area="360799100002",
                          now=cst(2026, 12, 5), **NOV)
    assert table(narrowed).total[1:4] == (1, 0, 1)


def test_the_date_range_selects_by_discovery_date(eng, users, decided):
    view = eng.report("compliance", users["county1"], date_from="2026-11-17",
                      date_to="2026-11-30", now=cst(2026, 12, 5))
    assert table(view).total[1] == 0


def test_compliance_counts_follow_the_rule_case_by_case(eng, users, decided):
    """The database's count by township and the late list agree with ``deadline_outcome``
    on decisions and ends either side of the limit's last instant and of China midnight."""
    from sqlalchemy import insert, select

    from engine.models import Case
    cases, utc = Case.__table__, timezone.utc
    last = datetime(2026, 12, 1, 15, 59, 59, 999999, tzinfo=utc)     # 12-01 23:59:59.999999
    kinds = [(last, last, "completed"), (last + timedelta(microseconds=1), None, "completed"),
             (datetime(2026, 11, 23, 15, 59, 59, tzinfo=utc), None, "rejected"),
             (datetime(2026, 11, 23, 16, tzinfo=utc), None, "completed"),
             (None, datetime(2026, 12, 1, 15, 59, 59, tzinfo=utc), "cancelled"),
             (None, last + timedelta(microseconds=1), "cancelled"),
             (None, datetime(2026, 12, 3, 16, tzinfo=utc), "rejected"), (None, None, "running")]
    now = cst(2026, 12, 5)
    with eng.database.begin() as conn:
        template = dict(conn.execute(select(cases).where(cases.c.id == decided[0])).mappings()
                        .one())
        template.pop("id")
        conn.execute(insert(cases), [dict(template, deadline=last, deadline_met_at=met,
                                          ended_at=ended, status=status,
                                          area_code="360799200001" if i >= len(kinds) else
                                          template["area_code"])
                                     for i, (met, ended, status) in enumerate(kinds * 2)])
        rows = conn.execute(select(cases)).all()
    expected, late = {}, []
    for r in rows:
        o = deadline_outcome(r.deadline, r.deadline_met_at, r.ended_at, r.status, now,
                             r.deadline_from)
        tally = expected.setdefault({"360799100": "东山镇"}.get(r.area_code[:9], "西河乡"),
                                    dict(on_time=0, late=0, open=0, overdue=0, closed=0,
                                         days=[]))
        tally[o.state] += 1
        if o.state in ("on_time", "late"):
            tally["days"].append(o.days_taken)
        if o.state == "late":
            late.append((r.id, o.days_late))
    view = eng.report("compliance", users["county1"], now=now, **NOV)
    found = rows_by_area(view)
    for name, t in expected.items():
        days = t["days"]
        assert found[name][1:3] == (t["on_time"], t["late"]), name
        assert found[name][4:] == (round(sum(days) / len(days), 1), max(days), t["open"],
                                   t["overdue"], t["closed"]), name
    assert sorted((r[0], r[6]) for r in table(view, "late").rows) == sorted(late)
    assert len(late) > 4 and all(found[n][8] for n in expected)     # late, and closed ones


# -- stages, trend, overdue, daily ---------------------------------------------------------

def test_open_cases_by_step_and_level(eng, users, county):
    identification(eng, county, 1)                          # at county approval
    identification(eng, county, 3, until="home_check")      # at home check, 李家村
    identification(eng, county, 4, until="township_review")
    view = eng.report("stages", users["county1"], now=cst(2026, 11, 25), **NOV)
    rows = {(zh(r[0]), r[1]): r[3:] for r in table(view, "steps").rows}
    # 东山镇, 西河乡, total, overdue (the home check was due 11-19)
    assert rows == {("村级", "入户核实"): (1, 0, 1, 1), ("乡镇级", "乡镇审核"): (0, 1, 1, 0),
                    ("县级", "县级审批"): (1, 0, 1, 0)}
    township = eng.report("stages", users["township2"], now=cst(2026, 11, 25), **NOV)
    assert [(zh(r[0]), r[1], r[3:]) for r in table(township, "steps").rows] == [
        ("乡镇级", "乡镇审核", (1, 0, 1, 0))]


def test_cases_by_month(eng, users, county):
    identification(eng, county, 1, decided_at=cst(2026, 12, 2), decision="reject")
    identification(eng, county, 3, until="home_check")
    identification(eng, county, 4, until="home_check", started_at=cst(2026, 12, 1, 9))
    view = eng.report("trend", users["county1"], now=cst(2026, 12, 5), date_from="2026-10-01",
                      date_to="2026-12-31")
    assert table(view, "months").rows == [("2026-10", 0, 0, 0, 0), ("2026-11", 2, 0, 0, 0),
                                           ("2026-12", 1, 0, 1, 0)]
    assert table(view, "months").total[1:] == (3, 0, 1, 0)
    assert view.chart.kind == "line" and view.chart.categories[-1] == "2026-12"


def test_overdue_by_level_township_and_village(eng, users, county):
    identification(eng, county, 1)                          # county approval, limit 12-01
    identification(eng, county, 3, until="home_check")      # home check due 11-19
    identification(eng, county, 5, until="home_check")      # 桃源村, 西河乡
    view = eng.report("overdue", users["county1"], now=cst(2026, 12, 3), **NOV)
    rows = {(r[0], r[1]): r[2:] for r in table(view, "villages").rows}
    #     village township county total, cases past their limit
    assert rows == {("东山镇", "东山村"): (0, 0, 1, 1, 1), ("东山镇", "李家村"): (1, 0, 0, 1, 1),
                    ("西河乡", "桃源村"): (1, 0, 0, 1, 1)}
    assert [s.values for s in view.chart.series] == [[1, 1], [0, 0], [1, 0]]
    early = eng.report("overdue", users["township1"], now=cst(2026, 11, 21), **NOV)
    assert {(r[0], r[1]): r[2:] for r in table(early, "villages").rows} == {
        ("东山镇", "李家村"): (1, 0, 0, 1, 0)}


def test_daily_update(eng, users, county):
    identification(eng, county, 1, decided_at=cst(2026, 11, 24, 9))
    identification(eng, county, 3, until="home_check", started_at=cst(2026, 11, 24, 11))
    identification(eng, county, 4, decided_at=cst(2026, 11, 24, 12), decision="reject")
    view = eng.report("daily", users["county1"], date_to="2026-11-24",
                      now=cst(2026, 11, 24, 16))
    by_area = rows_by_area(view)
    # declared, on time, late, completed, rejected, items done, overdue items, cases late
    assert by_area["东山镇"][:6] == (1, 1, 0, 0, 0, 1)
    assert by_area["西河乡"][:6] == (0, 1, 0, 0, 1, 1)
    assert view.filters.date_to == date(2026, 11, 24)


# -- projects and funds ----------------------------------------------------------------

def test_projects_and_funds_against_55_per_cent(eng, users, deploy):
    from projects_support import INTAKE, admit

    deploy(INTAKE)
    now = datetime(2026, 11, 20, 2, tzinfo=timezone.utc)
    industry = admit(eng, users.__getitem__, now)
    employment = admit(eng, users.__getitem__, now, name="东山村就业帮扶车间",
                       project_type="employment")
    county = users["county1"]
    release = eng.release_funds(county, "示财农〔2026〕12号", "central", 1_000_000,
                                date(2026, 11, 1), now)
    eng.allocate(county, industry, release.id, 500_000, date(2026, 11, 20), now)
    eng.allocate(county, employment, release.id, 500_000, date(2026, 11, 20), now)
    view = eng.report("funds", county, date_from="2027-01-01", date_to="2027-12-31", now=now)
    rows = {zh(r[0]): r[1:] for r in table(view, "types").rows}
    assert rows["产业发展"][:2] == (1, 1) and rows["产业发展"][3:] == (
        Decimal("500000.00"), Decimal("0.00"), Decimal("50.0"))
    assert rows["就业项目"][3:] == (Decimal("500000.00"), Decimal("0.00"), Decimal("50.0"))
    assert view.headlines[0].value == "50.0%" and view.headlines[0].ok is False
    assert view.chart.target == 55.0
    other = eng.report("funds", users["township2"], date_from="2027-01-01",
                       date_to="2027-12-31", now=now)
    assert table(other, "types").total[1] == 0


# -- filters, workbooks ----------------------------------------------------------------

def test_filters_are_checked(eng, users, county):
    county1 = users["county1"]
    with pytest.raises(NotFound):
        eng.report("nothing", county1)
    with pytest.raises(InvalidData) as bad:
        eng.report("compliance", county1, date_from="2026-13-01")
    assert bad.value.errors == {"date_from": "invalid"}
    with pytest.raises(InvalidData) as bad:
        eng.report("compliance", county1, date_from="2026-12-01", date_to="2026-11-01")
    assert bad.value.errors == {"date_from": "after date_to"}
    with pytest.raises(InvalidData) as bad:
        eng.report("compliance", county1, process="no_such_process")
    assert bad.value.errors == {"process": "unknown"}
    with pytest.raises(InvalidData):
        eng.report("compliance", county1, area="360799100009")
    view = eng.report("compliance", county1, now=cst(2026, 12, 5))
    assert (view.filters.date_from, view.filters.date_to) == (date(2026, 11, 5),
                                                              date(2026, 12, 5))


def test_the_compliance_workbook(eng, users, decided):
    content = eng.report_workbook("compliance", users["county1"], now=cst(2026, 12, 5), **NOV)
    sheet = load_workbook(io.BytesIO(content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "时限办结情况（15天）"
    assert "区域：示范县" in values[1][0] and "2026-11-01 至 2026-12-31" in values[1][0]
    header = values.index(["区域", "案件数", "按时办结", "超期办结", "按时办结率（%）", "平均用时（天）",
                           "最长用时（天）", "在办未超期", "在办已超期", "未经审批终止"])
    assert values[header + 1] == ["东山镇", 2, 1, 1, 50.0, 12.5, 17, 0, 0, 0]
    assert values[header + 3] == ["合计", 3, 1, 1, 50.0, 12.5, 17, 0, 1, 0]
    assert sheet.cell(header + 1, 1).font.bold
    assert sheet.cell(header + 2, 5).number_format == "0.0"
    late = values.index(["案件编号", "对象", "所在地", "发现日期", "期限截止", "审批/终止日期", "超期天数",
                         "超期/迟报原因", None, None])
    assert values[late + 1][:3] == [decided[1], "张福生", "李家村"]
    assert values[late + 1][4].date() == date(2026, 12, 1) and values[late + 1][6] == 2


@pytest.mark.parametrize("name", ["stages", "trend", "overdue", "funds", "daily"])
def test_every_workbook_opens_with_its_headers(eng, users, county, name):
    identification(eng, county, 1, until="home_check")
    view = eng.report(name, users["township1"], now=cst(2026, 11, 25), **NOV)
    sheet = load_workbook(io.BytesIO(eng.report_workbook(
        name, users["township1"], now=cst(2026, 11, 25), **NOV))).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    for shown in view.tables:
        header = values.index([zh(c.title) for c in shown.columns]
                              + [None] * (len(values[0]) - len(shown.columns)))
        first = values[header + 1][:len(shown.columns)]
        if shown.rows:
            assert first == [zh(v) if not isinstance(v, Decimal) else float(v)
                             for v in shown.rows[0]]


def test_the_daily_update_of_a_day_to_come_is_today(eng, users, county):
    identification(eng, county, 1, until="home_check", started_at=cst(2026, 11, 24, 11))
    view = eng.report("daily", users["township1"], date_to="2026-12-31",
                      now=cst(2026, 11, 24, 16))
    assert "2026-11-24" in view.title["zh_CN"]
    assert rows_by_area(view)["东山村"][0] == 1
