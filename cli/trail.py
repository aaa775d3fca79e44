"""The audit trail: verify that no event of a case, or of the global chain, was altered."""
from __future__ import annotations

from dataclasses import asdict

import click

from .context import transactional
from .output import Report


@click.group()
def trail():
    """Audit trail commands."""


@trail.command()
@click.argument("case_id", metavar="[CASE]", type=int, required=False)
@click.option("--global", "global_chain", is_flag=True,
              help="verify the global chain (deployments, accounts, log-ins, calendar)")
@click.option("--as", "as_user", default=None,
              help="verify as this user (default: the local operator)")
@transactional(write=False)
def verify(obj, case_id, global_chain, as_user):
    """Verify the hash chain of case CASE (or --global); exit 1 if it is broken."""
    if global_chain == (case_id is not None):
        raise click.UsageError("give either a CASE or --global")
    result = obj.engine.verify(None if global_chain else case_id, obj.actor(as_user))
    chain = "global chain" if global_chain else f"case {case_id}"
    text = (f"{chain}: trail intact, {result.events} events" if result.ok
            else f"{chain}: TRAIL BROKEN: {result.problem}")
    return Report({"case": case_id, **asdict(result)}, text, ok=result.ok)


COMMANDS = [trail]
