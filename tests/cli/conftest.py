"""Fixtures for the front-ends: the dixian command run in-process on the test database."""
from __future__ import annotations

import json
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from cli import main

from support import ROOT

TABLES = ("definition_versions", "cases", "work_items", "timers", "audit_events", "users",
          "areas", "households", "calendar_days", "chain_heads")


class Cli:
    """Runs ``dixian`` with ``--db`` on the test database, acting at ``now``."""

    def __init__(self, db_url: str, now: str = "2026-11-20T10:00"):
        self.db_url, self.now = db_url, now

    def __call__(self, *args, stdin=None, as_json=False, now=None):
        """(exit code, stdout and stderr) of one command."""
        result = CliRunner().invoke(main, ["--db", self.db_url,
                                           *(["--json"] if as_json else []),
                                           "--now", now or self.now, *args], input=stdin)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.output

    def json(self, *args, **kwargs):
        """The parsed JSON output of a command that must succeed."""
        code, out = self(*args, as_json=True, **kwargs)
        assert code == 0, out
        return json.loads(out)


@pytest.fixture
def cli(eng, db_url, monkeypatch) -> Cli:
    """dixian on a freshly emptied test database (from the project root)."""
    monkeypatch.chdir(ROOT)
    return Cli(db_url)


@pytest.fixture
def row_counts(db_engine):
    """A function giving the row count of every table, to show that nothing was written."""
    def counts():
        with db_engine.connect() as conn:
            return {name: conn.execute(select(func.count()).select_from(text(name))).scalar()
                    for name in TABLES}
    return counts
