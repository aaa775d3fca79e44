"""Report pages at scale: each report's page (Flask test client, logged in, no HTTP) for a
county, a township and a village user, against the inbox page in the same run.

On ``--db URL`` it reads an existing database (migrated first; ``--users`` and
``--password`` name a county, a township and a village account there, e.g. those of the
database bench/inbox.py builds; ``--register N`` first adds N monitoring objects with their
households and a year of monthly visits when the database has fewer). Without it, it builds a temporary SQLite database with the
demo county, the identification process and ``--cases N`` cases written straight into the
tables (running, decided on time and late, rejected; one open work item per running case
and three completed items per case), spread over the last year. Prints the median and p95
of each page (wall time), the median CPU time of this process per request (SQLite runs in
it; the machine may be busy with other work), and the ratio to the inbox page's median.

    .venv/bin/python bench/reports.py [--cases N] [--runs R] [--db URL] [--users A,B,C]
        [--password PW] [--register N] [--pages NAMES]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).parent.resolve()
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))  # this checkout's engine and webapp, not an installed one

from sqlalchemy import insert, select  # noqa: E402

from engine import Settings, build_engine, demo  # noqa: E402
from engine.models import Case, User, WorkItem  # noqa: E402

ROOT = HERE.parent
REPORTS = ("stages", "trend", "overdue", "compliance", "funds", "monitoring", "measures",
           "visits", "daily")
# Pages with a longer range than the report's default, as a county officer may ask.
WIDE = {"compliance": "from={year_ago}", "visits": "from={year_ago}"}
USERS = ("county1", "township1", "village11")
VILLAGES = [v for _t, _n, villages in demo.TOWNSHIPS for v, _name in villages]
STEPS = [("home_check", "入户核实", "village"), ("village_review", "村级民主评议", "village"),
         ("township_review", "乡镇审核", "township"), ("county_approval", "县级审批", "county")]
CHUNK = 10_000


def synthetic(url: str, cases: int) -> None:
    """Demo county, the identification process, and ``cases`` cases written directly."""
    eng = build_engine(Settings(database_url=url))
    eng.migrate()
    now = datetime.now(timezone.utc)
    demo.seed(eng, now)
    row, _ = eng.deploy_files([ROOT / "workflows" / "monitoring_identification.bpmn"], None, now)
    rng = random.Random(7)
    with eng.database.begin() as conn:
        user_id = conn.execute(select(User.id).where(User.username == "county1")).scalar()
        for first in range(1, cases + 1, CHUNK):
            case_rows, item_rows = [], []
            for case_id in range(first, min(first + CHUNK, cases + 1)):
                started = now - timedelta(days=rng.uniform(0, 365))
                deadline = started + timedelta(days=15)
                kind = rng.random()
                status = "running" if kind < 0.2 else "rejected" if kind < 0.3 else "completed"
                met = None if status == "running" else started + timedelta(
                    days=rng.uniform(3, 19))
                village = rng.choice(VILLAGES)
                case_rows.append(dict(
                    id=case_id, definition_id=row.id, process_key=row.key,
                    subject_kind="household", subject_id=None, title=f"户{case_id}",
                    area_code=village, status=status,
                    outcome="" if status == "running" else "approved"
                    if status == "completed" else "rejected", outcome_reason="",
                    deadline_from=started.date(), deadline=deadline, deadline_met_at=met,
                    started_by=user_id, started_at=started,
                    ended_at=None if status == "running" else met + timedelta(days=1),
                    state="{}", version=1, audit_seq=0, audit_head=""))
                for index, (name, title, level) in enumerate(STEPS):
                    is_open = status == "running" and index == 3 - case_id % 4
                    if status == "running" and index > 3 - case_id % 4:
                        break
                    item_rows.append(dict(
                        case_id=case_id, task_id=f"{case_id}-{index}", task_name=name,
                        title=title, level=level, area_code=village[:{"village": 12,
                                                                       "township": 9,
                                                                       "county": 6}[level]],
                        form="", status="open" if is_open else "completed",
                        created_at=started + timedelta(days=index),
                        due_at=started + timedelta(days=index + 3),
                        completed_at=None if is_open else started + timedelta(days=index + 1),
                        completed_by=None if is_open else user_id))
            conn.execute(insert(Case.__table__), case_rows)
            conn.execute(insert(WorkItem.__table__), item_rows)
    eng.dispose()


RISKS = ("01", "0201", "03", "04", "05", "07", "09", "99")
MEASURES = ("industry", "employment", "microcredit", "public_welfare_job", "housing_safety",
            "health", "compulsory_education", "comprehensive_protection")
TYPES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")


def ensure_register(eng, wanted: int) -> None:
    """Monitoring objects (with households) up to ``wanted``, each visited every month of
    the last year, written straight into the tables."""
    from sqlalchemy import func as sql_func

    from engine.clue_models import HouseholdVisit
    from engine.models import Area, Household
    from engine.register_models import MonitoringObject

    objects, households = MonitoringObject.__table__, Household.__table__
    visits = HouseholdVisit.__table__
    with eng.database.begin() as conn:
        have = conn.execute(select(sql_func.count()).select_from(objects)).scalar()
        if have >= wanted:
            return
        villages = conn.execute(select(Area.__table__.c.code).where(
            sql_func.length(Area.__table__.c.code) == 12)).scalars().all()
        user_id = conn.execute(select(User.id).order_by(User.id).limit(1)).scalar()
        now = datetime.now(timezone.utc)
        rng = random.Random(16)
        began = time.perf_counter()
        for first in range(have, wanted, CHUNK):
            batch = range(first, min(first + CHUNK, wanted))
            conn.execute(insert(households), [dict(
                head_name=f"户主{i}", id_number=f"BENCH{i:013d}", members=rng.randint(1, 6),
                village_code=rng.choice(villages), household_type="formerly_poor"
                if rng.random() < 0.6 else "", created_at=now) for i in batch])
            rows = conn.execute(select(households.c.id, households.c.village_code).where(
                households.c.id_number >= f"BENCH{batch[0]:013d}",
                households.c.id_number <= f"BENCH{batch[-1]:013d}")).all()
            object_rows, visit_rows = [], []
            for household_id, village in rows:
                identified = now - timedelta(days=rng.uniform(0, 3 * 365))
                eliminated = rng.random() < 0.3
                object_rows.append(dict(
                    household_id=household_id, village_code=village,
                    status="eliminated" if eliminated else "monitoring",
                    object_type=rng.choice(TYPES),
                    risk_types=",".join(rng.sample(RISKS, rng.randint(1, 2))),
                    aid_measures=",".join(rng.sample(MEASURES, rng.randint(1, 3))),
                    identified_at=identified, eliminated_at=identified + timedelta(days=200)
                    if eliminated else None, updated_at=now))
                for months_ago in range(12):
                    day = (now - timedelta(days=30 * months_ago + rng.randint(0, 25))).date()
                    visit_rows.append(dict(
                        household_id=household_id, village_code=village,
                        month=day.strftime("%Y-%m"), visited_on=day, visitors="帮扶责任人",
                        income_change="stable", spending_change="stable",
                        food_clothing=True, education=True, medical=True, housing=True,
                        safe_water=True, aid_received="", notes="", recorded_by=user_id,
                        recorded_at=now))
            conn.execute(insert(objects), object_rows)
            conn.execute(insert(visits), visit_rows)
        print(f"added {wanted - have} monitoring objects and their visits in "
              f"{time.perf_counter() - began:.0f} s")


def ensure_history(eng) -> None:
    """On a database without them (bench/inbox.py's): the day each case's limit counts from
    and its decision time (the compliance report's columns), and 督办 for the overdue open
    items and a fifth of the items completed late (the daily update's)."""
    from sqlalchemy import text

    with eng.database.begin() as conn:
        if conn.execute(select(Case.id).where(Case.deadline_from.isnot(None)).limit(1)).first():
            return
        began = time.perf_counter()
        day = ("date(started_at)" if conn.dialect.name == "sqlite"
               else "CAST(started_at AS DATE)")
        conn.execute(text(f"UPDATE cases SET deadline_from = {day}, deadline_met_at = "
                          "CASE WHEN status = 'completed' THEN ended_at END"))
        conn.execute(text(
            "INSERT INTO supervisions (case_id, work_item_id, level, area_code, tier, "
            "opened_at, due_at, closed_at, outcome) SELECT case_id, id, 'county', "
            "substr(area_code, 1, 6), 1, due_at, NULL, completed_at, CASE WHEN completed_at "
            "IS NULL THEN '' ELSE 'done' END FROM work_items WHERE due_at < :now AND "
            "(status = 'open' OR (completed_at > due_at AND id % 5 = 0))"),
            {"now": datetime.now(timezone.utc).replace(tzinfo=None)})
        conn.execute(text("ANALYZE"))
        print(f"added limits, decisions and 督办 in {time.perf_counter() - began:.0f} s")


def timed(client, url: str, runs: int, cpu: list | None = None) -> list[float]:
    """Milliseconds of each of ``runs`` GETs (after one warm-up); CPU milliseconds of this
    process per GET are appended to ``cpu``."""
    first = client.get(url)
    assert first.status_code == 200, (url, first.status_code, first.text[-2000:])
    found = []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        answer = client.get(url)
        found.append((time.perf_counter() - began) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - began_cpu) * 1000)
        assert answer.status_code == 200, url
    return found


def p95(values: list[float]) -> float:
    return sorted(values)[max(int(len(values) * 0.95) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", default=None, help="an existing database with the demo users")
    parser.add_argument("--users", default=",".join(USERS),
                        help="a county, a township and a village account, comma-separated")
    parser.add_argument("--password", default=demo.PASSWORD)
    parser.add_argument("--register", type=int, default=0,
                        help="monitoring objects (with a year of visits) the database needs")
    parser.add_argument("--pages", default="",
                        help="time only these pages, comma-separated (e.g. 'compliance 1 year')")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    url = args.db
    if url is None:
        url = f"sqlite:///{folder.name}/reports.sqlite"
        began = time.perf_counter()
        synthetic(url, args.cases)
        print(f"built {args.cases} cases in {time.perf_counter() - began:.1f} s")
    from webapp import create_app

    eng = build_engine(Settings(database_url=url))
    if args.db:
        eng.migrate()
    if args.register:
        ensure_register(eng, args.register)
        ensure_history(eng)
    app = create_app({"SECRET_KEY": "bench", "DIXIAN_ENGINE": eng, "WTF_CSRF_ENABLED": False,
                      "LOGIN_RATE_LIMIT": "100000/minute",
                      "NODE_MODULES": str(ROOT / "node_modules")})
    year_ago = (datetime.now(timezone.utc) - timedelta(days=365)).date().isoformat()
    print(f"{'user':12} {'page':16} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>8} "
          f"{'× inbox':>8}")
    worst = 0.0
    for username in args.users.split(","):
        client = app.test_client()
        answer = client.post("/login", data={"username": username, "password": args.password})
        assert answer.status_code == 302, f"cannot log in as {username}"
        baseline = statistics.median(timed(client, "/inbox", args.runs))
        print(f"{username:12} {'inbox':16} {baseline:10.1f} {'':>8} {'':>8} {1:8.2f}")
        pages = [(name, f"/reports/{name}") for name in REPORTS] + [
            (f"{name} 1 year", f"/reports/{name}?" + query.format(year_ago=year_ago))
            for name, query in WIDE.items()]
        if args.pages:
            pages = [p for p in pages if p[0] in args.pages.split(",")]
        for name, url in pages:
            cpu: list[float] = []
            found = timed(client, url, args.runs, cpu)
            median = statistics.median(found)
            worst = max(worst, p95(found))
            print(f"{username:12} {name:16} {median:10.1f} {p95(found):8.1f} "
                  f"{statistics.median(cpu):8.1f} {median / baseline:8.2f}", flush=True)
    print(f"worst p95 {worst:.0f} ms")
    eng.dispose()
    folder.cleanup()


if __name__ == "__main__":
    main()
