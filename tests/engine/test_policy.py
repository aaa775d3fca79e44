"""The policy as one table: every rule, every kind of user, allowed or refused."""
from types import SimpleNamespace as NS

import pytest

from engine import policy
from engine.directory import Actor


def actor(name, level, area, roles=("staff",), active=True, uid=None):
    return Actor(uid or abs(hash(name)) % 10_000, name, name, level, area, tuple(roles),
                 active, "zh_CN", "")


V11 = actor("village11", "village", "360799100001", uid=11)
V11B = actor("village11b", "village", "360799100001", uid=111)
V12 = actor("village12", "village", "360799100002", uid=12)
T1 = actor("township1", "township", "360799100", uid=21)
T2 = actor("township2", "township", "360799200", uid=22)
C1 = actor("county1", "county", "360799", uid=31)
ADMIN = actor("admin", "county", "360799", ("admin",), uid=41)
AUDITOR = actor("auditor", "county", "360799", ("auditor",), uid=51)
GONE = actor("gone", "village", "360799100001", active=False, uid=61)
OTHER_COUNTY = actor("county9", "county", "360798", uid=71)
V11_LEAD = actor("village11lead", "village", "360799100001", ("staff", "lead"), uid=81)
V12_LEAD = actor("village12lead", "village", "360799100002", ("staff", "lead"), uid=82)
T1_LEAD = actor("township1lead", "township", "360799100", ("staff", "lead"), uid=83)
OTHER_ADMIN = actor("admin9", "county", "360798", ("admin",), uid=84)
GONE_LEAD = actor("gonelead", "village", "360799100001", ("staff", "lead"), False, uid=85)

CASE = NS(id=1, area_code="360799100001", status="running")
ENDED = NS(id=2, area_code="360799100001", status="completed")
ITEM = NS(id=10, level="village", area_code="360799100001", status="open", assignee_id=None,
          title="入户核实")
HELD = NS(**{**ITEM.__dict__, "assignee_id": 11})
DONE = NS(**{**ITEM.__dict__, "status": "completed"})
T_ITEM = NS(id=11, level="township", area_code="360799100", status="open", assignee_id=None,
            title="乡镇审核")

TABLE = [
    # rule, arguments, allowed
    (policy.view_case, (V11, CASE), True),
    (policy.view_case, (V12, CASE), False),
    (policy.view_case, (T1, CASE), True),
    (policy.view_case, (T2, CASE), False),
    (policy.view_case, (C1, CASE), True),
    (policy.view_case, (AUDITOR, CASE), True),
    (policy.view_case, (OTHER_COUNTY, CASE), False),
    (policy.view_case, (GONE, CASE), False),
    (policy.view_item, (V11, ITEM, CASE), True),
    (policy.view_item, (T1, ITEM, CASE), False),
    (policy.view_item, (AUDITOR, ITEM, CASE), True),
    (policy.view_item, (ADMIN, ITEM, CASE), True),
    (policy.view_item, (V12, ITEM, CASE), False),
    (policy.act, (V11, ITEM), True),
    (policy.act, (V11B, ITEM), True),
    (policy.act, (V11, HELD), True),
    (policy.act, (V11B, HELD), False),
    (policy.act, (V11, DONE), False),
    (policy.act, (V12, ITEM), False),
    (policy.act, (T1, ITEM), False),
    (policy.act, (T1, T_ITEM), True),
    (policy.act, (T2, T_ITEM), False),
    (policy.act, (C1, ITEM), False),
    (policy.act, (AUDITOR, ITEM), False),
    (policy.act, (ADMIN, ITEM), False),
    (policy.act, (GONE, ITEM), False),
    (policy.claim, (V11, ITEM), True),
    (policy.claim, (V11B, HELD), False),
    (policy.claim, (T1, ITEM), False),
    (policy.unclaim, (V11, HELD), True),
    (policy.unclaim, (V11B, HELD), False),
    (policy.unclaim, (ADMIN, HELD), True),
    (policy.reassign, (V11, HELD, V11B), True),
    (policy.reassign, (V11B, HELD, V11), False),
    (policy.reassign, (V11, HELD, V12), False),
    (policy.reassign, (V11, HELD, T1), False),
    (policy.reassign, (V11, HELD, GONE), False),
    (policy.reassign, (ADMIN, HELD, V11B), True),
    # 接管: an administrator of the area or the lead of the item's level and area, of an
    # item a colleague holds (not one's own, not an unclaimed or finished one).
    (policy.take_over, (V11_LEAD, HELD), True),
    (policy.take_over, (ADMIN, HELD), True),
    (policy.take_over, (OTHER_ADMIN, HELD), False),
    (policy.take_over, (V12_LEAD, HELD), False),
    (policy.take_over, (T1_LEAD, HELD), False),
    (policy.take_over, (GONE_LEAD, HELD), False),
    (policy.take_over, (V11B, HELD), False),
    (policy.take_over, (V11, HELD), False),
    (policy.take_over, (T1, HELD), False),
    (policy.take_over, (AUDITOR, HELD), False),
    (policy.take_over, (V11_LEAD, ITEM), False),
    (policy.take_over, (ADMIN, ITEM), False),
    (policy.take_over, (V11_LEAD, NS(**{**HELD.__dict__, "status": "completed"})), False),
    (policy.start, (V11, "360799100001"), True),
    (policy.start, (V11, "360799100002"), False),
    (policy.start, (C1, "360799200002"), True),
    (policy.start, (AUDITOR, "360799100001"), False),
    (policy.cancel, (C1, CASE), True),
    (policy.cancel, (T1, CASE), False),
    (policy.cancel, (V11, CASE), False),
    (policy.cancel, (OTHER_COUNTY, CASE), False),
    (policy.cancel, (C1, ENDED), False),
    (policy.cancel, (AUDITOR, CASE), False),
    (policy.attach, (V11, CASE), True),
    (policy.attach, (T1, CASE), True),
    (policy.attach, (V12, CASE), False),
    (policy.attach, (V11, ENDED), False),
    (policy.attach, (AUDITOR, CASE), False),
    (policy.attach, (V11, CASE, ITEM), True),
    (policy.attach, (T1, CASE, ITEM), False),
    (policy.print_case, (AUDITOR, CASE), True),
    (policy.print_case, (V12, CASE), False),
    (policy.register_household, (V11, "360799100001"), True),
    (policy.register_household, (AUDITOR, "360799100001"), False),
    (policy.view_household, (AUDITOR, "360799100001"), True),
    (policy.view_household, (V12, "360799100001"), False),
    (policy.deploy, (ADMIN,), True),
    (policy.deploy, (C1,), False),
    (policy.deploy, (None,), True),
    (policy.administer, (AUDITOR,), False),
    (policy.work_queue, (V11,), True),
    (policy.work_queue, (AUDITOR,), False),
    (policy.work_queue, (GONE,), False),
]


@pytest.mark.parametrize("rule,args,expected", TABLE,
                         ids=[f"{r.__name__}-{a[0].username if a[0] else 'system'}-{i}"
                              for i, (r, a, _) in enumerate(TABLE)])
def test_policy_table(rule, args, expected):
    assert policy.allowed(rule, *args) is expected
    reason = rule(*args)
    assert (reason == "") is expected
    if not expected:
        assert isinstance(reason, str) and len(reason) > 10  # a reason a person can read


def test_require_raises_forbidden_with_the_reason():
    from engine import Forbidden

    with pytest.raises(Forbidden, match="claimed by another user"):
        policy.require(policy.act, V11B, HELD)


def test_area_prefix_is_a_range_that_matches_exactly_the_prefix():
    from sqlalchemy import column, select

    expression = policy.prefix_range(column("area_code"), "360799100")
    sql = str(select(column("x")).where(expression).compile(
        compile_kwargs={"literal_binds": True}))
    assert "area_code >= '360799100'" in sql and "area_code < '360799101'" in sql
