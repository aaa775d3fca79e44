"""Completing a task through the JSON API (gunicorn, HTTP) vs the engine call alone.

Starts gunicorn (one worker) on 127.0.0.1 and a free port with a temporary SQLite database
(demo county + bench/four_tasks.bpmn), gets API tokens, then for N cases starts a case
through the API and completes its four tasks with ``POST /api/v1/tasks/<id>/complete``,
timing each completion request on one persistent connection. In the same run it times
``Engine.complete`` (its own transaction, committed) on a separate database file with the
same BPMN. Prints median and p95 of both and the HTTP overhead ratio (median HTTP / median
engine), then the CPU time per request of the gunicorn worker against the engine's (both
over the same starts and completions), which a busy machine changes much less.

    .venv/bin/python bench/web.py [--cases N]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

# This folder holds engine.py, named like the package it measures: keep it off the path.
HERE = Path(__file__).parent.resolve()
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

from engine import Engine, Settings, build_engine, demo  # noqa: E402

ROOT = HERE.parent
BPMN = HERE / "four_tasks.bpmn"
# Who completes the four tasks of four_tasks.bpmn (village, village, township, county).
ORDER = ["village11", "village11", "township1", "county1"]
TARGET_MS = 15.0


def prepare(path: Path) -> Engine:
    """An Engine on a migrated SQLite database with the demo county and four_tasks."""
    engine = build_engine(Settings(database_url=f"sqlite:///{path}"))
    engine.migrate()
    now = datetime.now(timezone.utc)
    demo.seed(engine, now)
    engine.deploy_files([BPMN], None, now)
    return engine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """JSON over one persistent HTTP/1.1 connection."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, body=None, token: str | None = None):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.conn.request(method, path, json.dumps(body) if body is not None else None,
                          headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None

    def close(self) -> None:
        self.conn.close()


def start_server(db_path: Path, port: int, log) -> subprocess.Popen:
    env = dict(os.environ, DIXIAN_DATABASE_URL=f"sqlite:///{db_path}",
               DIXIAN_SECRET_KEY="bench-" + os.urandom(8).hex())
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [str(gunicorn), "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "webapp:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)


def wait_until_up(server: subprocess.Popen, port: int, seconds: float = 30.0) -> None:
    """Poll the OpenAPI document until the server answers (bounded)."""
    for _ in range(int(seconds / 0.1)):
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer on port {port} within {seconds:.0f} s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def worker_cpu(server: subprocess.Popen) -> float:
    """CPU seconds (user + system, all threads) the gunicorn worker has used so far: what a
    request costs the server whatever else the machine runs (10 ms ticks: read it over a
    few hundred requests)."""
    master = server.pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if len(children) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {children}")
    fields = Path(f"/proc/{children[0]}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def over_http(client: Client, tokens: dict[str, str], n: int) -> list[float]:
    """Seconds per completion request for n cases of four completions."""
    timings = []
    for i in range(n):
        status, body = client.call("POST", "/api/v1/cases",
                                   {"key": "four_tasks", "data": {"case": i}},
                                   tokens["village11"])
        if status != 201:
            raise RuntimeError(f"starting a case: {status} {body}")
        items, version = body["items"], body["case"]["version"]
        for step, who in enumerate(ORDER):
            payload = {"data": {"step": step}, "case_version": version}
            began = time.perf_counter()
            status, body = client.call("POST", f"/api/v1/tasks/{items[0]['id']}/complete",
                                       payload, tokens[who])
            timings.append(time.perf_counter() - began)
            if status != 200:
                raise RuntimeError(f"completing step {step}: {status} {body}")
            items, version = body["items"], body["case_version"]
    return timings


def engine_alone(engine: Engine, n: int) -> list[float]:
    """Seconds per ``Engine.complete`` in a transaction of its own, as a request has one."""
    users = {u.username: u for u in engine.users()}
    timings = []
    for i in range(n):
        started = engine.start("four_tasks", users["village11"], {"case": i})
        items, version = started.items, started.case.version
        for step, who in enumerate(ORDER):
            began = time.perf_counter()
            done = engine.complete(items[0].id, users[who], {"step": step},
                                   expected_version=version)
            timings.append(time.perf_counter() - began)
            items, version = done.items, done.case_version
    return timings


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main(argv=None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--cases", type=int, default=100)
    opts = args.parse_args(argv)
    n = max(opts.cases, 1)
    with tempfile.TemporaryDirectory(prefix="dixian-bench-web-") as tmp:
        tmp = Path(tmp)
        prepare(tmp / "web.sqlite").dispose()
        engine = prepare(tmp / "engine.sqlite")
        port = free_port()
        with open(tmp / "gunicorn.log", "w") as log:
            server = start_server(tmp / "web.sqlite", port, log)
            try:
                wait_until_up(server, port)
                client = Client(port)
                try:
                    tokens = {}
                    for name in sorted(set(ORDER)):
                        status, body = client.call("POST", "/api/v1/tokens", {
                            "username": name, "password": demo.PASSWORD})
                        if status != 201:
                            raise RuntimeError(f"token for {name}: {status} {body}")
                        tokens[name] = body["token"]
                    over_http(client, tokens, min(10, n))  # warm up
                    cpu_before = worker_cpu(server)
                    http_times = over_http(client, tokens, n)
                    http_cpu = (worker_cpu(server) - cpu_before) / (5 * n)
                finally:
                    client.close()
            except BaseException:
                stop_server(server)
                log.flush()
                sys.stderr.write((tmp / "gunicorn.log").read_text()[-3000:])
                raise
            stop_server(server)
        engine_alone(engine, min(10, n))  # warm up
        cpu_before = time.process_time()
        engine_times = engine_alone(engine, n)
        engine_cpu = (time.process_time() - cpu_before) / (5 * n)
        engine.dispose()
    http_med, engine_med = statistics.median(http_times), statistics.median(engine_times)
    print(f"database:                 sqlite, gunicorn 1 worker, {n} cases, "
          f"{len(http_times)} completions each way")
    print(f"HTTP complete (API):      median {http_med * 1000:7.2f} ms   "
          f"p95 {p95(http_times) * 1000:7.2f} ms   "
          f"{'within' if http_med * 1000 < TARGET_MS else 'OVER'} the {TARGET_MS:.0f} ms target")
    print(f"engine complete + commit: median {engine_med * 1000:7.2f} ms   "
          f"p95 {p95(engine_times) * 1000:7.2f} ms")
    print(f"HTTP overhead ratio:      {http_med / engine_med:.2f}x (median HTTP / median engine)")
    print(f"CPU per request:          HTTP worker {http_cpu * 1000:.2f} ms, engine "
          f"{engine_cpu * 1000:.2f} ms, ratio {http_cpu / engine_cpu:.2f}x (a start and four "
          f"completions per case; the client's CPU not counted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
