"""Inbox statements: the indexes each view's plan uses, and the rows each view returns."""
import random
from datetime import timedelta

import pytest
from sqlalchemy import case as when, select, text

from engine import sql, views
from engine.models import Case, ItemStatus, WorkItem

from support import NOW

ITEMS, CASES = WorkItem.__table__, Case.__table__
PEOPLE = ("village11", "village12", "township1", "township2", "county1")


@pytest.fixture
def queue(eng, users, deploy):
    """Open, claimed, overdue, due-today, undated and completed items at every level of two
    townships' villages, in random order."""
    definition = deploy("bench/four_tasks.bpmn").id
    rng = random.Random(8)
    villages = ["360799100001", "360799100002", "360799200001", "360799200002"]
    by_area = {}
    for user in users.values():
        by_area.setdefault(user.area_code, []).append(user.id)
    item_rows = []
    with eng.transaction() as tx:
        for n in range(120):
            village = villages[n % 4]
            case_id = tx.conn.execute(CASES.insert().values(
                definition_id=definition, process_key="four_tasks", subject_kind="household",
                subject_id=n, title=f"case {n}", area_code=village, status="running",
                started_by=users["village11"].id, started_at=NOW, state="{}").returning(
                CASES.c.id)).scalar_one()
            for level, area in (("village", village), ("township", village[:9]),
                                ("county", village[:6])):
                staff = by_area.get(area, [None])
                open_ = rng.random() < 0.6
                due = rng.choice([None, NOW - timedelta(days=2), NOW + timedelta(hours=3),
                                  NOW + timedelta(hours=3), NOW + timedelta(days=4)])
                done_at = NOW - timedelta(hours=rng.randrange(1, 500))
                item_rows.append(dict(
                    case_id=case_id, task_id=f"t{n}{level}", task_name=level, title=level,
                    level=level, area_code=area, form="",
                    assignee_id=rng.choice(staff + [None]) if open_ else None,
                    status=ItemStatus.OPEN.value if open_ else ItemStatus.COMPLETED.value,
                    created_at=NOW - timedelta(days=1), due_at=due,
                    completed_at=None if open_ else done_at,
                    completed_by=None if open_ else rng.choice(staff)))
        rng.shuffle(item_rows)
        tx.conn.execute(ITEMS.insert(), item_rows)
    return users


def earlier_query(actor, view, now):
    """The statement the inbox ran before the partial index (joined, case-ordered)."""
    columns = (*ITEMS.c, CASES.c.title.label("case_title"), CASES.c.process_key)
    joined = ITEMS.join(CASES, CASES.c.id == ITEMS.c.case_id)
    if view == "done":
        return select(*columns).select_from(joined).where(
            ITEMS.c.completed_by == actor.id).order_by(ITEMS.c.completed_at.desc(),
                                                       ITEMS.c.id.desc())
    query = select(*columns).select_from(joined).where(
        ITEMS.c.status == ItemStatus.OPEN.value, ITEMS.c.level == actor.level,
        ITEMS.c.area_code.like(actor.area_code + "%"))
    if view == "mine":
        query = query.where(ITEMS.c.assignee_id == actor.id)
    elif view == "unclaimed":
        query = query.where(ITEMS.c.assignee_id.is_(None))
    elif view == "overdue":
        query = query.where(ITEMS.c.due_at < now)
    elif view == "today":
        query = query.where(ITEMS.c.due_at >= now, ITEMS.c.due_at < views.end_of_today(now))
    return query.order_by(when((ITEMS.c.due_at < now, 0), else_=1),
                          when((ITEMS.c.due_at.is_(None), 1), else_=0), ITEMS.c.due_at,
                          ITEMS.c.id)


@pytest.mark.parametrize("username", PEOPLE)
def test_every_view_pages_through_the_same_items_in_the_same_order_as_before(eng, queue,
                                                                           username):
    actor = queue[username]
    for view in views.INBOX_VIEWS:
        with eng.transaction(write=False) as tx:
            expected = [(r.id, r.case_title) for r in tx.conn.execute(
                earlier_query(actor, view, NOW))]
        shown, page = [], 1
        while True:
            found = eng.inbox(actor, view, page, 7, NOW)
            shown += [(item.id, item.case_title) for item in found.items]
            if not found.has_next:
                break
            page += 1
        assert shown == expected, (username, view)
        assert found.counts[view] == len(expected), (username, view)
    assert len(expected) > 0  # every user has a non-empty "all" view


def test_the_fixture_gives_every_view_items(eng, queue):
    counts = eng.counts(queue["township1"], NOW)
    assert min(counts.values()) > 0, counts


@pytest.mark.parametrize("username", ("village11", "township1", "county1"))
def test_each_inbox_statement_range_scans_its_index(eng, queue, username):
    """Queue views and counts scan the partial index of open items by level and area range
    (never LIKE, which PostgreSQL cannot range-scan under C.UTF-8); the done view and count
    scan the completer's index."""
    actor = queue[username]
    with eng.database.connect() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:  # a small table: show which index the statement can use at scale
            conn.execute(text("SET enable_seqscan = off"))
        for name, statement in views.inbox_statements(actor, NOW):
            plan = "\n".join(sql.explain(conn, statement))
            done = name.startswith("done")
            index = "ix_work_items_done" if done else "ix_work_items_open"
            if name == "counts":  # the completions, counted in the same statement
                assert "Index Only Scan using ix_work_items_done" in plan or \
                    "COVERING INDEX ix_work_items_done (completed_by=?)" in plan, plan
            if postgres:
                assert f"on {index}" in plan or f"using {index}" in plan, (name, plan)
                scanned = [line for line in plan.splitlines() if "Index Cond" in line]
                key = "completed_by =" if done else "area_code >="
                assert any(key in line for line in scanned), (name, plan)
                assert "~~" not in plan  # no LIKE filter
            else:
                key = "(completed_by=?)" if done else \
                    "(level=? AND area_code>? AND area_code<?)"
                # the queue views choose their page from the index alone
                assert f"COVERING INDEX {index} {key}" in plan or (
                    name == "done" and f"INDEX {index} {key}" in plan), (name, plan)


def test_the_done_count_stops_past_its_limit_and_the_tab_says_more(eng, queue, monkeypatch):
    monkeypatch.setattr(views, "DONE_COUNT_LIMIT", 3)
    township = queue["township1"]
    with eng.transaction(write=False) as tx:
        done = len(tx.conn.execute(earlier_query(township, "done", NOW)).all())
    assert done > 4
    assert eng.counts(township, NOW)["done"] == 4  # the limit + 1: "more than 3"
    village = queue["village12"]
    with eng.transaction(write=False) as tx:
        few = len(tx.conn.execute(earlier_query(village, "done", NOW)).all())
    assert eng.counts(village, NOW)["done"] == min(few, 4)



def test_the_done_page_chooses_its_rows_from_the_completers_index_alone(eng, users, deploy):
    """A county officer's completions are old next to the villages' newest work. Read in
    one statement, the done page led PostgreSQL's planner (at a million cases) to the index
    of completion times, filtering the newest completions by completer (65–130 ms); the
    page's rows are now chosen from the completer's index alone (an index-only scan), then
    read by primary key, newest first."""
    definition = deploy("bench/four_tasks.bpmn").id
    county, village = users["county1"], users["village11"]
    with eng.transaction() as tx:
        case_id = tx.conn.execute(CASES.insert().values(
            definition_id=definition, process_key="four_tasks", title="c",
            area_code=village.area_code, status="running", started_by=village.id,
            started_at=NOW, state="{}").returning(CASES.c.id)).scalar_one()
        rows, total = [], 4_000
        for n in range(total):
            mine = n % 20 == 0 and n < total // 2  # 2.5% of all, none of the newest half
            rows.append(dict(
                case_id=case_id, task_id="t", task_name="t", title="t", form="",
                level="county" if mine else "village",
                area_code=county.area_code if mine else village.area_code,
                status=ItemStatus.COMPLETED.value, created_at=NOW - timedelta(days=400),
                completed_at=NOW - timedelta(minutes=total - n),
                completed_by=county.id if mine else village.id))
        random.Random(8).shuffle(rows)
        tx.conn.execute(ITEMS.insert(), rows)
    with eng.database.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET enable_seqscan = off"))  # a small table
        plan = "\n".join(sql.explain(conn, dict(views.inbox_statements(county, NOW))["done"]))
        assert ("Index Only Scan Backward using ix_work_items_done" in plan
                or "COVERING INDEX ix_work_items_done (completed_by=?)" in plan), plan
        assert "ix_work_items_completed_at" not in plan, plan
    shown = eng.inbox(county, "done", 2, 25, NOW).items
    assert [i.completed_at for i in shown] == sorted(
        (r["completed_at"] for r in rows if r["completed_by"] == county.id), reverse=True)[25:50]
