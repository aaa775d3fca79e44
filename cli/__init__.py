"""The ``dixian`` command: a front-end of the engine, like the web application.

One module per command group; every command runs in one engine transaction (``context``)
and prints through one serializer and one table printer (``output``).
"""
from __future__ import annotations

import click

from . import (calendar, cases, clues, definitions, directory, elimination, fieldwork,
               printing, projects, register, reports, setup, supervision, timers, trail)
from .context import Context, parse_now

__all__ = ["main"]


@click.group()
@click.option("--db", envvar="DIXIAN_DATABASE_URL", default=None,
              help="database URL (default $DIXIAN_DATABASE_URL or sqlite:///var/dixian.sqlite)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--now", default=None, help="act at this time (ISO 8601, China time if no zone)")
@click.pass_context
def main(ctx, db, as_json, now):
    """Dixian: rural-revitalization workflows on BPMN."""
    ctx.obj = Context(db, as_json, parse_now(now))
    ctx.call_on_close(ctx.obj.close)


for group in (setup, definitions, cases, trail, directory, calendar, timers, projects,
              supervision, printing, register, clues, fieldwork, reports, elimination):
    for command in group.COMMANDS:
        main.add_command(command)
