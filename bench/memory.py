"""Memory of a web worker that has served 10,000 distinct cases.

Builds a SQLite database under the temporary folder (demo county, bench/four_tasks.bpmn,
``--cases`` cases started through the engine, each with its first step done), starts
gunicorn with one worker (gunicorn.conf.py: threaded) on 127.0.0.1:``--port``, and reads
every case once through the JSON API (``GET /api/v1/cases/<id>``: the worker restores each
workflow, parses nothing twice, and keeps what its caches allow), plus an inbox page every
hundred cases. Prints the worker's resident memory (VmRSS) as the cases go by and, last,
after all of them; the goal is 150 MB. The caches that bound it are listed in the README
(Benchmarks, Memory).

    .venv/bin/python bench/memory.py [--cases N] [--port P]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).parent.resolve()
ROOT = HERE.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from engine import Settings, build_engine, demo  # noqa: E402

BPMN = HERE / "four_tasks.bpmn"
GOAL_MB = 150.0


def build(path: Path, cases: int) -> None:
    eng = build_engine(Settings(database_url=f"sqlite:///{path}"))
    eng.migrate()
    now = datetime.now(timezone.utc)
    demo.seed(eng, now)
    eng.deploy_files([BPMN], None, now)
    village = eng.find_user("village11")
    for first in range(0, cases, 500):
        with eng.transaction():
            for n in range(first, min(cases, first + 500)):
                started = eng.start("four_tasks", village, {"case": n}, now)
                eng.complete(started.items[0].id, village, {"step": 1}, now,
                             started.case.version)
        print(f"  {min(cases, first + 500):,} cases started", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    eng.dispose()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def worker_pid(master: int, seconds: float = 30.0) -> int:
    for _ in range(int(seconds / 0.1)):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def call(conn, method: str, path: str, token: str | None = None, body=None):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
    return json.loads(data) if data else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=5008)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dixian_memory_"))
    server = None
    try:
        db = folder / "memory.sqlite"
        build(db, args.cases)
        env = dict(os.environ, DIXIAN_DATABASE_URL=f"sqlite:///{db}", DIXIAN_WORKERS="1",
                   DIXIAN_SECRET_KEY="bench-" + os.urandom(8).hex())
        log = open(folder / "gunicorn.log", "w")
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "--bind",
             f"127.0.0.1:{args.port}", "webapp:create_app()"],
            cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        worker = worker_pid(server.pid)
        conn = None
        for _ in range(300):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
                token = call(conn, "POST", "/api/v1/tokens", None,
                             {"username": "county1", "password": demo.PASSWORD})["token"]
                break
            except (OSError, http.client.HTTPException):
                time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn did not answer on port {args.port}")
        print(f"sqlite: one gunicorn worker (pid {worker}), {args.cases:,} distinct cases "
              f"read through GET /api/v1/cases/<id>")
        print(f"{'cases read':>11}{'RSS MB':>9}")
        print(f"{0:>11,}{rss_mb(worker):>9.1f}", flush=True)
        checkpoints = {1_000, 2_500, 5_000, 7_500, args.cases}
        for n in range(1, args.cases + 1):
            call(conn, "GET", f"/api/v1/cases/{n}", token)
            if n % 100 == 0:
                call(conn, "GET", "/api/v1/inbox?view=all", token)
            if n in checkpoints:
                print(f"{n:>11,}{rss_mb(worker):>9.1f}", flush=True)
        final = rss_mb(worker)
        print(f"RSS per web worker after {args.cases:,} distinct cases: {final:.1f} MB "
              f"(goal ≤ {GOAL_MB:.0f} MB)")
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
