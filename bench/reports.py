"""Report pages at scale: each report's page (Flask test client, logged in, no HTTP) for a
county, a township and a village user, against the inbox page in the same run.

On ``--db URL`` it reads an existing database (the demo users must exist there, e.g. the
database bench/inbox.py builds). Without it, it builds a temporary SQLite database with the
demo county, the identification process and ``--cases N`` cases written straight into the
tables (running, decided on time and late, rejected; one open work item per running case
and three completed items per case), spread over the last year. Prints the median and p95
of each page and its ratio to the inbox page's median.

    .venv/bin/python bench/reports.py [--cases N] [--runs R] [--db URL]
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
REPORTS = ("stages", "trend", "overdue", "compliance", "funds", "daily")
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


def timed(client, url: str, runs: int) -> list[float]:
    """Milliseconds of each of ``runs`` GETs (after one warm-up)."""
    first = client.get(url)
    assert first.status_code == 200, (url, first.status_code, first.text[-2000:])
    found = []
    for _ in range(runs):
        began = time.perf_counter()
        answer = client.get(url)
        found.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, url
    return found


def p95(values: list[float]) -> float:
    return sorted(values)[max(int(len(values) * 0.95) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", default=None, help="an existing database with the demo users")
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
    app = create_app({"SECRET_KEY": "bench", "DIXIAN_ENGINE": eng, "WTF_CSRF_ENABLED": False,
                      "LOGIN_RATE_LIMIT": "100000/minute",
                      "NODE_MODULES": str(ROOT / "node_modules")})
    print(f"{'user':10} {'page':12} {'median ms':>10} {'p95 ms':>8} {'× inbox':>8}")
    for username in USERS:
        client = app.test_client()
        client.post("/login", data={"username": username, "password": demo.PASSWORD})
        baseline = statistics.median(timed(client, "/inbox", args.runs))
        print(f"{username:10} {'inbox':12} {baseline:10.1f} {'':>8} {1:8.2f}")
        for name in REPORTS:
            found = timed(client, f"/reports/{name}", args.runs)
            median = statistics.median(found)
            print(f"{username:10} {name:12} {median:10.1f} {p95(found):8.1f} "
                  f"{median / baseline:8.2f}")
    eng.dispose()
    folder.cleanup()


if __name__ == "__main__":
    main()
