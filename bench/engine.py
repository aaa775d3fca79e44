"""Persisted cases vs plain in-memory SpiffWorkflow on the same 4-user-task BPMN.

Each persisted case is a start plus four completions, each its own committed transaction,
through the Engine's verbs. The baseline runs the same BPMN with SpiffWorkflow in
memory in the same process. Prints cases/s for both and the ratio, by the clock and by CPU
time (this process; on PostgreSQL also its server processes, read from /proc when the server
runs on this machine): on a shared machine the CPU figures move less with what else runs.

    python bench/engine.py [--cases N] [--db URL] [--runs R]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

# This file is named like the package it measures: keep its own folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.task import TaskState
from sqlalchemy import text

from argon2 import PasswordHasher  # noqa: E402

from engine import Settings, build_engine  # noqa: E402

BPMN = Path(__file__).with_name("four_tasks.bpmn")
ORDER = ["v", "v", "t", "c"]


def server_cpu(eng) -> float:
    """CPU seconds used so far by the PostgreSQL server processes of the engine's pooled
    connections (0 when not PostgreSQL or not on this machine)."""
    if eng.database.dialect.name != "postgresql":
        return 0.0
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    with eng.database.connect() as conn:
        pids = [row[0] for row in conn.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend'"))]
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def timed(eng, run, n: int) -> tuple[float, float]:
    """(cases/s by the clock, cases per CPU second of this process and the database's
    server processes) for ``run(n)``."""
    cpu, server, began = time.process_time(), server_cpu(eng), time.perf_counter()
    run(n)
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu + server_cpu(eng) - server
    return n / wall, n / cpu


def in_memory(n: int) -> float:
    """Cases per second with plain SpiffWorkflow, spec parsed once."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(BPMN))
    spec, subs = parser.get_spec("four_tasks"), parser.get_subprocess_specs("four_tasks")
    began = time.perf_counter()
    for i in range(n):
        workflow = BpmnWorkflow(spec, subs)
        workflow.do_engine_steps()
        for step in range(4):
            task = workflow.get_next_task(state=TaskState.READY, manual=True)
            task.data.update({"step": step, "case": i})
            task.run()
            workflow.do_engine_steps()
        assert workflow.completed
    return n / (time.perf_counter() - began)


def setup(url: str, durability: str = "normal"):
    """A fresh schema with one village/township/county and a user at each level."""
    eng = build_engine(Settings(database_url=url, durability=durability),
                       password_hasher=PasswordHasher(time_cost=1, memory_cost=1024))
    if eng.database.dialect.name == "postgresql":
        with eng.database.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    eng.migrate()
    now = datetime.now(timezone.utc)
    with eng.transaction():
        eng.add_area("360101", "县", now=now)
        eng.add_area("360101001", "乡", now=now)
        eng.add_area("360101001001", "村", now=now)
        for name, level, area in [("v", "village", "360101001001"),
                                  ("t", "township", "360101001"), ("c", "county", "360101")]:
            eng.add_user(name, level, area, "bench-password", now=now)
        eng.deploy_files([BPMN], now=now)
    return eng


def persisted(eng, n: int) -> float:
    """Cases per second through the engine, one committed transaction per operation."""
    users = {u.username: u for u in eng.users()}
    began = time.perf_counter()
    for i in range(n):
        now = datetime.now(timezone.utc)
        items = eng.start("four_tasks", users["v"], {"case": i}, now).items
        for step, who in enumerate(ORDER):
            items = eng.complete(items[0].id, users[who], {"step": step}, now).items
    return n / (time.perf_counter() - began)


def main(argv=None) -> int:
    """Run both (alternating, ``--runs`` times) and print the medians."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--cases", type=int, default=300)
    args.add_argument("--runs", type=int, default=3)
    args.add_argument("--db", default=None, help="database URL (default: a temporary SQLite)")
    args.add_argument("--durability", choices=["normal", "full"], default="normal",
                      help="what each commit survives (README: Settings); default normal")
    opts = args.parse_args(argv)
    url = opts.db or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    eng = setup(url, opts.durability)
    in_memory(50)
    persisted(eng, 20)
    base, warm, cold = [], [], []
    for _ in range(opts.runs):
        base.append(timed(eng, in_memory, opts.cases))
        warm.append(timed(eng, lambda n: persisted(eng, n), opts.cases))
        size, eng.runner.cache.size = eng.runner.cache.size, 0
        eng.runner.cache.clear()
        cold.append(timed(eng, lambda n: persisted(eng, n), max(opts.cases // 3, 20)))
        eng.runner.cache.size = size
    dialect = url.split(":")[0]
    print(f"database:              {dialect}, durability {opts.durability}, "
          f"each operation committed on its own; medians of {opts.runs} runs")
    print("                          by the clock               by CPU time")
    median = [tuple(statistics.median(r[i] for r in runs) for i in (0, 1))
              for runs in (base, warm, cold)]
    for label, (wall, cpu) in zip(["in-memory SpiffWorkflow:", "persisted (engine):     ",
                                   "persisted, no cache:    "], median):
        print(f"{label} {wall:8.1f} cases/s ratio {wall / median[0][0]:.2f}x  "
              f"{cpu:8.1f} cases/s ratio {cpu / median[0][1]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
