"""scripts/run.sh (``make run``): the timer worker is started again when it ends or is killed;
SIGTERM or Ctrl-C stops the web application, the worker and the supervisor."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from support import ROOT

# Stand-ins for the installed commands: each notes its process id, then runs until TERM.
FAKE = """#!/usr/bin/env bash
echo $$ >> "{log}"
trap 'exit 0' TERM
while :; do sleep 0.05; done
"""


def started(log: Path) -> list[int]:
    """Process ids a stand-in noted, in order of start."""
    return [int(line) for line in log.read_text().split()] if log.exists() else []


def wait_until(condition, what: str, timeout: float = 10) -> None:
    """Wait for the script's processes to reach ``condition``, up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)  # the processes under test run on their own: look again


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def as_from_a_terminal() -> None:
    """Ctrl-C as a terminal delivers it: a suite started in the background (``cmd &``) runs
    with SIGINT ignored, which a shell it starts inherits and cannot trap."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def sigterm(script) -> None:
    script.send_signal(signal.SIGTERM)


def ctrl_c(script) -> None:
    os.killpg(script.pid, signal.SIGINT)  # what the terminal does: the whole group


@pytest.mark.parametrize("stop", [sigterm, ctrl_c])
def test_worker_is_restarted_and_a_stop_ends_everything(tmp_path, stop):
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    workers, webs = tmp_path / "worker.pids", tmp_path / "web.pids"
    for name, log in (("dixian-worker", workers), ("gunicorn", webs)):
        (bin_dir / name).write_text(FAKE.format(log=log))
        (bin_dir / name).chmod(0o755)
    env = {**os.environ, "VENV": str(tmp_path / "venv"), "DIXIAN_WORKER_RESTART_DELAY": "0.1"}
    script = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              start_new_session=True, preexec_fn=as_from_a_terminal)
    try:
        wait_until(lambda: started(workers) and started(webs), "the worker and the web app")
        os.kill(started(workers)[0], signal.SIGKILL)
        wait_until(lambda: len(started(workers)) == 2, "the killed worker to start again")
        os.kill(started(workers)[1], signal.SIGTERM)  # ends on its own, status 0
        wait_until(lambda: len(started(workers)) == 3, "the ended worker to start again")
        stop(script)
        assert script.wait(timeout=5) == 0
        assert len(started(workers)) == 3 and len(started(webs)) == 1
        assert not any(alive(pid) for pid in started(workers) + started(webs))
        log = script.stderr.read()
        assert "the timer worker ended (status 137)" in log
        assert "the timer worker ended (status 0)" in log
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)
            script.wait()
        script.stderr.close()
