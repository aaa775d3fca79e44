"""What every command shares: the Engine, the time it acts at, and one transaction per run.

``@transactional(write)`` turns a function returning a ``Report`` into a command body that
runs in one engine transaction: committed when the function returns, rolled back when it
raises. A ``DixianError`` becomes one ``error: …`` line and exit status 1, with nothing
written. The report is printed only after the commit, so nothing claims success that a
failed commit undid.
"""
from __future__ import annotations

import functools
import json
import sys
from datetime import date, datetime, timezone

import click

from engine import TIMEZONE, Actor, Engine, InvalidData, Settings, build_engine
from engine.errors import DixianError

from .output import Report, to_json


class Context:
    """The options of the ``dixian`` group and the Engine built from them on first use."""

    def __init__(self, db: str | None, as_json: bool, now: datetime | None):
        self.db, self.as_json, self.now = db, as_json, now
        self._engine: Engine | None = None
        # Run once the command's transaction committed (files written only then).
        self.after_commit: list = []

    @property
    def settings(self) -> Settings:
        """The environment's settings, with ``--db`` (else ``DIXIAN_DATABASE_URL``)."""
        return Settings.from_environment(**({"database_url": self.db} if self.db else {}))

    @property
    def engine(self) -> Engine:
        """The Engine built from ``settings`` on first use."""
        if self._engine is None:
            self._engine = build_engine(self.settings)
        return self._engine

    def close(self) -> None:
        """Close the Engine's database connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def actor(self, username: str | None) -> Actor | None:
        """The account named by ``--as``; None when the option was not given."""
        return self.engine.find_user(username) if username else None

    def show(self, report: Report) -> None:
        """Print a report as JSON (``--json``) or text; exit 1 if it says the goal failed."""
        click.echo(to_json(report.data) if self.as_json else report.text)
        if not report.ok:
            sys.exit(1)


def fail(message: str) -> None:
    """Print a one-line error and exit 1."""
    click.echo("error: " + " ".join(str(message).split()), err=True)
    sys.exit(1)


def execute(obj: Context, write: bool, body, **params) -> None:
    """Run ``body(obj, **params)`` in one transaction, then print its report."""
    try:
        with obj.engine.transaction(write=write):
            report = body(obj, **params)
    except DixianError as err:
        fail(str(err))
    for action in obj.after_commit:
        action()
    obj.show(report)


def transactional(write: bool = True):
    """Make the decorated function a command body run by ``execute``."""
    def wrap(body):
        @click.pass_obj
        @functools.wraps(body)
        def run(obj: Context, **params):
            execute(obj, write, body, **params)
        return run
    return wrap


def parse_now(value: str | None) -> datetime | None:
    """``--now``: ISO 8601, China time when no zone is given; None for the wall clock."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TIMEZONE)
    return moment.astimezone(timezone.utc)


def json_object(raw: str, option: str = "--data") -> dict:
    """A JSON object given on the command line."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as err:
        raise InvalidData(f"{option} is not valid JSON: {err.msg} at column {err.colno}"
                          ) from None
    if not isinstance(data, dict):
        raise InvalidData(f"{option} must be a JSON object, e.g. '{{\"decision\": \"approve\"}}'")
    return data


admin_option = click.option("--as", "as_user", default=None,
                            help="the administrator making the change (default: the local "
                                 "operator)")


def day(value: str) -> date:
    """A date given as YYYY-MM-DD."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidData(f"{value!r} is not a date (YYYY-MM-DD)") from None
