"""Inbox pages and navigation counts on a county's million cases, through the web app.

Builds (once; reused when present) a database shaped like a county after years of use:
1 county, 20 townships, 300 villages; ``--cases`` cases (default 1,000,000), about 97% of
them finished, each with 4–5 work items (≈4.9 per case, ≈31,000 open at the end). Cases,
work items and accounts are bulk-inserted (SQLite ``executemany``, PostgreSQL ``COPY``); the
case state is a placeholder, since inboxes never read it. Then, logged in through the Flask
app (its test client: the whole request — session, policy, engine, templates — without a
socket), it times every inbox view (mine, unclaimed, overdue, today, done, all; page 1, with
the counts every page carries) and a page that shows only the navigation counts, for a
village, a township and a county user. Prints p50/p95 per view and, last,
``worst p95 N ms``; the goal is 50 ms.

    .venv/bin/python bench/inbox.py [--db URL] [--cases N] [--rounds R] [--explain]

``--db`` defaults to ``sqlite:////tmp/dixian_inbox_<cases>.sqlite``.
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).parent.resolve()
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from sqlalchemy import func, select, text  # noqa: E402

from engine import Settings, build_engine  # noqa: E402
from engine.models import Case, User, WorkItem  # noqa: E402

BPMN = HERE / "four_tasks.bpmn"
PASSWORD = "Bench-inbox-2026"
COUNTY = "369900"
TOWNSHIPS = [f"{COUNTY}{100 + t:03d}" for t in range(20)]
VILLAGES = {t: [f"{t}{v:03d}" for v in range(1, 16)] for t in TOWNSHIPS}
# (task id, name, level) of bench/four_tasks.bpmn, in order
STEPS = [("declare", "申报", "village"), ("village_review", "村级评议", "village"),
         ("township_review", "乡镇审核", "township"), ("county_approval", "县级审批", "county")]
VIEWS = ("mine", "unclaimed", "overdue", "today", "done", "all")
TARGET_MS = 50.0
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def accounts() -> list[tuple[str, str, str]]:
    """(username, level, area): 4 county staff, 2 per township, 1 per village."""
    found = [(f"county{i}", "county", COUNTY) for i in range(1, 5)]
    for t, township in enumerate(TOWNSHIPS, start=1):
        found += [(f"township{t}{x}", "township", township) for x in "ab"]
        found += [(f"village{t}_{v}", "village", code)
                  for v, code in enumerate(VILLAGES[township], start=1)]
    return found


def build(eng, cases: int) -> None:
    """Schema, areas, accounts, one definition, then the cases and their items in bulk."""
    eng.migrate()
    eng.add_area(COUNTY, "基准县", now=NOW)
    for t, township in enumerate(TOWNSHIPS, start=1):
        eng.add_area(township, f"第{t}镇", COUNTY, now=NOW)
        for v, village in enumerate(VILLAGES[township], start=1):
            eng.add_area(village, f"第{t}镇第{v}村", township, now=NOW)
    hashed = eng.directory.hash_password(PASSWORD)
    users = [{"username": name, "display_name": name, "level": level, "area_code": area,
              "roles": "staff", "password_hash": hashed, "locale": "zh_CN", "active": True,
              "created_at": NOW} for name, level, area in accounts()]
    with eng.transaction() as tx:
        tx.conn.execute(User.__table__.insert(), users)
        ids = {r.username: r.id for r in tx.conn.execute(
            select(User.__table__.c.username, User.__table__.c.id))}
    eng.deploy_files([BPMN], None, NOW)
    with eng.transaction() as tx:
        definition = tx.conn.execute(text("select max(id) from definition_versions")).scalar()
    staff: dict[str, list[int]] = {}
    for name, _level, area in accounts():
        staff.setdefault(area, []).append(ids[name])
    loader = _copy if eng.database.dialect.name == "postgresql" else _executemany
    rng = random.Random(8)
    first_case = 1
    batch = 20_000
    began = time.perf_counter()
    # Loading without the secondary indexes and building them after, sorted, is several
    # times faster than keeping them up to date row by row.
    indexes = [index for table in (Case.__table__, WorkItem.__table__)
               for index in table.indexes]
    with eng.database.begin() as conn:
        for index in indexes:
            index.drop(conn)
    raw = eng.database.raw_connection()
    if eng.database.dialect.name == "sqlite":
        cursor = raw.cursor()
        cursor.execute("PRAGMA cache_size = -400000")  # 400 MB of pages stay in memory
        cursor.close()
    for start in range(0, cases, batch):
        case_rows, item_rows = [], []
        for n in range(start, min(cases, start + batch)):
            _case(rng, first_case + n, definition, staff, case_rows, item_rows, n, cases)
        loader(raw, case_rows, item_rows)
        print(f"  {start + len(case_rows):,} cases loaded ({time.perf_counter() - began:.0f} s)",
              file=sys.stderr, end="\r")
    raw.close()
    print(file=sys.stderr)
    with eng.database.begin() as conn:
        for index in indexes:
            index.create(conn)
    with eng.database.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("ANALYZE"))
        if eng.database.dialect.name == "postgresql":
            conn.execute(text("VACUUM (ANALYZE) work_items"))


CASE_KEYS = ("id", "definition_id", "process_key", "subject_kind", "subject_id", "title",
             "area_code", "status", "outcome", "outcome_reason", "deadline_from", "deadline",
             "deadline_met_at", "started_by", "started_at", "ended_at", "state", "version",
             "audit_seq", "audit_head", "audit_seal")
ITEM_KEYS = ("case_id", "task_id", "task_name", "title", "level", "area_code", "assignee_id",
             "form", "status", "created_at", "due_at", "completed_at", "completed_by")


def _case(rng, case_id, definition, staff, cases, items, n, total) -> None:
    """One case with its items: the last ≈3.1% (the newest) are still running."""
    township = TOWNSHIPS[rng.randrange(20)]
    village = rng.choice(VILLAGES[township])
    running = n >= total * 0.969
    age = timedelta(days=rng.uniform(0, 12)) if running else \
        timedelta(days=5 * 365 * (1 - n / total) + rng.uniform(0, 30))
    at = NOW - age
    steps = STEPS + ([STEPS[2]] if rng.random() < 0.9 else [])  # most return once
    if running:
        steps = STEPS[:rng.randrange(1, 5)]
    started_by = rng.choice(staff[village])
    cases.append((case_id, definition, "four_tasks", "household", case_id % 50_000,
                  f"户 {case_id}", village, "running" if running else "completed",
                  "" if running else "approved", "", None, at + timedelta(days=60), None,
                  started_by, at, None if running else at + timedelta(days=len(steps)),
                  "{}", len(steps) * 2, len(steps) * 2, "", ""))
    for i, (task, name, level) in enumerate(steps):
        area = {"village": village, "township": township, "county": COUNTY}[level]
        created = at + timedelta(hours=20 * i)
        due = created + timedelta(days=rng.choice((2, 5, 10)))
        last = i == len(steps) - 1
        if running and last:
            who = rng.choice(staff[area]) if rng.random() < 0.5 else None
            items.append((case_id, task, name, name, level, area, who, "", "open", created,
                          due, None, None))
        else:
            done_by = rng.choice(staff[area])
            items.append((case_id, task, name, name, level, area,
                          done_by if rng.random() < 0.2 else None, "", "completed", created,
                          due, created + timedelta(hours=rng.uniform(1, 19)), done_by))


def _naive(value):
    return value.astimezone(timezone.utc).replace(tzinfo=None) \
        if isinstance(value, datetime) else value


def _sqlite_time(value):
    value = _naive(value)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def _executemany(raw, cases, items) -> None:
    cursor = raw.cursor()
    cursor.executemany(
        f"insert into cases ({', '.join(CASE_KEYS)}) values ({', '.join('?' * len(CASE_KEYS))})",
        [tuple(_sqlite_time(v) for v in row) for row in cases])
    cursor.executemany(
        f"insert into work_items ({', '.join(ITEM_KEYS)}) values ({', '.join('?' * len(ITEM_KEYS))})",
        [tuple(_sqlite_time(v) for v in row) for row in items])
    raw.commit()


def _copy(raw, cases, items) -> None:
    cursor = raw.cursor()
    for table, keys, rows in (("cases", CASE_KEYS, cases), ("work_items", ITEM_KEYS, items)):
        with cursor.copy(f"copy {table} ({', '.join(keys)}) from stdin") as copy:
            for row in rows:
                copy.write_row([_naive(v) for v in row])
    if cases:
        cursor.execute("select setval('cases_id_seq', (select max(id) from cases))")
    raw.commit()


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def timed(client, path: str, rounds: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each request (CPU: this thread's, which runs the app:
    on a busy machine it leaves out the waits for a core; PostgreSQL's own work is not in
    it)."""
    client.get(path)  # warm: templates compiled, statements cached
    wall, cpu = [], []
    for _ in range(rounds):
        began, began_cpu = time.perf_counter(), time.thread_time()
        response = client.get(path)
        cpu.append((time.thread_time() - began_cpu) * 1000)
        wall.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return wall, cpu


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def measure(url: str, rounds: int) -> float:
    from webapp import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LOGIN_RATE_LIMIT": "1000/minute"})
    worst = worst_cpu = 0.0
    print(f"{'user':<12}{'view':<10}{'items':>9}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'cpu p50':>9}{'cpu p95':>9}")
    for username in ("village1_1", "township1a", "county1"):
        client = app.test_client()
        token = csrf(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"username": username, "password": PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 302, f"login of {username} failed"
        engine = app.extensions["dixian"]
        counts = engine.counts(engine.find_user(username))
        for view, path in [(v, f"/inbox?view={v}") for v in VIEWS] + [("counts", "/password")]:
            times, cpu = timed(client, path, rounds)
            high = p95(times)
            worst, worst_cpu = max(worst, high), max(worst_cpu, p95(cpu))
            print(f"{username:<12}{view:<10}{counts.get(view, counts['all']):>9,}"
                  f"{statistics.median(times):>9.1f}{high:>9.1f}"
                  f"{statistics.median(cpu):>9.1f}{p95(cpu):>9.1f}", flush=True)
    print(f"worst cpu p95 {worst_cpu:.1f} ms")
    return worst


def explain(eng, rounds: int) -> None:
    """Each inbox statement for each user: its plan (what the README shows), then its
    median time run alone on the driver (wall and CPU; on PostgreSQL also the server's
    execution time and the pages it read, which a busy machine does not change)."""
    from engine import sql, views

    postgres = eng.database.dialect.name == "postgresql"
    summary = []
    with eng.database.connect() as conn:
        for username in ("village1_1", "township1a", "county1"):
            actor = eng.find_user(username)
            for name, statement in views.inbox_statements(actor, NOW):
                plan = sql.explain(conn, statement, analyze=postgres)
                print(f"== {username} {name}")
                for line in plan:
                    print("   ", line)
                compiled = sql.Prepared(statement).compiled(conn.dialect)
                cursor = sql.dbapi_of(conn).cursor()
                wall, cpu = [], []
                for _ in range(rounds):
                    began, began_cpu = time.perf_counter(), time.thread_time()
                    cursor.execute(compiled.sql, compiled.parameters({}))
                    cursor.fetchall()
                    cpu.append((time.thread_time() - began_cpu) * 1000)
                    wall.append((time.perf_counter() - began) * 1000)
                cursor.close()
                server = next((line.split(":")[1].strip() for line in plan
                               if line.startswith("Execution Time")), "")
                pages = next((line.split("=", 1)[1].split()[0] for line in plan
                              if "Buffers: shared hit=" in line), "")
                summary.append((username, name, statistics.median(wall),
                                statistics.median(cpu), server, pages))
    print(f"{'user':<12}{'statement':<12}{'wall ms':>9}{'cpu ms':>9}"
          + (f"{'server':>12}{'pages':>7}" if postgres else ""))
    for username, name, wall, cpu, server, pages in summary:
        print(f"{username:<12}{name:<12}{wall:>9.2f}{cpu:>9.2f}"
              + (f"{server:>12}{pages:>7}" if postgres else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", default="")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--explain", action="store_true", help="print the query plans too")
    args = parser.parse_args()
    url = args.db or f"sqlite:////tmp/dixian_inbox_{args.cases}.sqlite"
    eng = build_engine(Settings(database_url=url))
    with eng.database.connect() as conn:
        present = eng.database.dialect.has_table(conn, "work_items") and conn.execute(
            select(func.count()).select_from(Case.__table__)).scalar() >= args.cases
    if present:
        eng.migrate()  # an older bench database gets the current indexes
        print(f"reusing {url}", file=sys.stderr)
    else:
        print(f"building {url} with {args.cases:,} cases", file=sys.stderr)
        build(eng, args.cases)
    with eng.database.connect() as conn:
        n_items, n_open = conn.execute(select(func.count(), func.count().filter(
            WorkItem.status == "open")).select_from(WorkItem.__table__)).one()
    print(f"{eng.database.dialect.name}: {args.cases:,} cases, {n_items:,} work items, "
          f"{n_open:,} open; {args.rounds} requests per view (Flask test client)")
    if args.explain:
        explain(eng, args.rounds)
    worst = measure(url, args.rounds)
    print(f"worst p95 {worst:.1f} ms (goal ≤ {TARGET_MS:.0f} ms)")


if __name__ == "__main__":
    main()
