"""The case list: search by name, ID-number digits and case number; filters; area; paging."""
from __future__ import annotations

import pytest

from engine import CaseFilter, Forbidden, InvalidData
from tests.engine.test_identification_cases import (  # noqa: F401  (fixtures)
    GREEN, HOME_CHECK, VILLAGE_APPROVE, Driver, cst, identification, start)


@pytest.fixture
def three(eng, identification):
    """Case 1: household 1 returned once; case 2: household 3 (village12), green channel;
    case 3: household 2, found long ago and now past its limit."""
    first = Driver.start(eng, identification, household_id=1)
    first.complete("home_check", HOME_CHECK, cst(2026, 11, 16, 15))
    first.complete("village_review", dict(VILLAGE_APPROVE, decision="return",
                                          reason="核查人员签字不全"), cst(2026, 11, 17))
    second = Driver.start(eng, identification, household_id=3, user="village12", **GREEN)
    third = Driver.start(eng, identification, household_id=2, now=cst(2026, 11, 16, 9),
                         discovery_date="2026-10-30", late_reason="外出务工返乡后申报")
    return first.case_id, second.case_id, third.case_id


def ids(eng, user, now=None, page=1, size=25, **kw):
    return [c.id for c in eng.case_list(user, CaseFilter(**kw), page, size,
                                        now=now or cst(2026, 11, 20)).cases]


def test_filters(eng, identification, three):
    first, second, third = three
    county = identification["county1"]
    assert ids(eng, county) == [third, second, first]                      # newest first
    assert ids(eng, county, returned=True) == [first]
    assert ids(eng, county, green=True) == [second]
    assert ids(eng, county, overdue=True) == [third]                       # limit 11-16
    assert ids(eng, county, step="home_check") == [third, second, first]
    assert ids(eng, county, village="360799100002") == [second]
    assert ids(eng, county, sort="discovery")[0] == third
    assert ids(eng, county, found_from=cst(2026, 11, 1).date()) == [second, first]


def test_search_by_name_digits_and_number(eng, identification, three, users):
    first, second, third = three
    county = identification["county1"]
    households = {h.id: h for h in eng.households(county)[0]}
    assert ids(eng, county, text=households[3].head_name) == [second]
    assert ids(eng, county, text=households[2].id_number[-4:]) == [third]
    assert ids(eng, county, text=f"#{first}") == [first]


def test_area_and_paging(eng, identification, three):
    first, second, third = three
    assert ids(eng, identification["village12"]) == [second]
    assert ids(eng, identification["county1"], size=2) == [third, second]
    assert ids(eng, identification["county1"], size=2, page=2) == [first]
    with pytest.raises(Forbidden):
        eng.case_list(identification["village12"], CaseFilter(village="360799100001"))
    with pytest.raises(InvalidData):
        eng.case_list(identification["county1"], CaseFilter(sort="name"))


def test_late_entries_filter_and_reasons(eng, identification, three):
    """迟报: only the case whose declaration gave a reason for late entry, with its reason."""
    first, second, third = three
    county = identification["county1"]
    assert ids(eng, county, late=True) == [third]
    assert ids(eng, county, late=True, green=True) == []
    found = eng.case_list(county, CaseFilter(), now=cst(2026, 11, 20))
    assert found.late_reasons == {third: "外出务工返乡后申报"}
    assert eng.case_list(identification["village12"], CaseFilter(late=True),
                         now=cst(2026, 11, 20)).cases == []
