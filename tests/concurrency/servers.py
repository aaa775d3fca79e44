"""Real servers on the suite's database: gunicorn with several workers, timer workers as
separate processes, and HTTP clients in threads."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

from support import ROOT, run_together

BIN = os.path.dirname(sys.executable)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(db_url: str, **extra) -> dict:
    return {**os.environ, "DIXIAN_DATABASE_URL": db_url, "DIXIAN_SECRET_KEY": "test-servers",
            "DIXIAN_RATELIMIT_ENABLED": "0",
            # Concurrency, not lock-out, is what these servers are for: half of fifty log-ins
            # failing on one account must all be counted, not refused after the tenth.
            "DIXIAN_LOCKOUT_FAILURES": "1000", "PYTHONPATH": str(ROOT), **extra}


class Server:
    """gunicorn serving the app on a free port; stopped at the end of the test."""

    def __init__(self, db_url: str, workers: int, log_path):
        self.port = free_port()
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [os.path.join(BIN, "gunicorn"), "--workers", str(workers), "--bind",
             f"127.0.0.1:{self.port}", "--timeout", "60", "webapp:create_app()"],
            cwd=ROOT, env=environment(db_url), stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/login")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)  # waiting for the server process to listen, not for time
        raise RuntimeError("gunicorn did not start: " + open(log_path).read()[-2000:])

    def request(self, method: str, path: str, body=None, token: str | None = None,
                connection=None):
        """``(status, JSON or text)`` of one request."""
        conn = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers=headers)
        response = conn.getresponse()
        raw = response.read().decode("utf-8", "replace")
        if connection is None:
            conn.close()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw

    def token(self, username: str, password: str) -> str:
        status, body = self.request("POST", "/api/v1/tokens",
                                    {"username": username, "password": password})
        assert status == 201, body
        return body["token"]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


together = run_together  # threads released at once; the exceptions they raised
