"""The audit trail: verify that no event of a case, or of the global chain, was altered;
write and check the signed checkpoints of every chain head."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

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
@click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False),
              default=None, help="check every chain against an archived checkpoint file")
@click.option("--as", "as_user", default=None,
              help="verify as this user (default: the local operator)")
@transactional(write=False)
def verify(obj, case_id, global_chain, checkpoint_file, as_user):
    """Verify the hash chain of case CASE (or --global, or against --checkpoint FILE);
    exit 1 if it is broken."""
    if checkpoint_file:
        if global_chain or case_id is not None:
            raise click.UsageError("--checkpoint checks every chain: give no CASE or --global")
        result = obj.engine.check_checkpoint(Path(checkpoint_file).read_bytes(),
                                             obj.actor(as_user))
        lines = [f"checkpoint of {result.created_at}: {result.cases} case chains "
                 + ("and the global chain still hold" if result.ok else "— BROKEN:")]
        return Report(asdict(result), "\n".join(lines + [f"  {p}" for p in result.problems]),
                      ok=result.ok)
    if global_chain == (case_id is not None):
        raise click.UsageError("give either a CASE or --global")
    result = obj.engine.verify(None if global_chain else case_id, obj.actor(as_user))
    chain = "global chain" if global_chain else f"case {case_id}"
    text = (f"{chain}: trail intact, {result.events} events" if result.ok
            else f"{chain}: TRAIL BROKEN: {result.problem}")
    return Report({"case": case_id, **asdict(result)}, text, ok=result.ok)


@trail.command()
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None,
              help="where to write it (default $DIXIAN_CHECKPOINT_DIR or var/checkpoints)")
@click.option("--as", "as_user", default=None,
              help="an administrator or auditor (default: the local operator)")
@transactional(write=True)
def checkpoint(obj, directory, as_user):
    """Write a signed checkpoint of every chain head, for the bureau's archive."""
    written = obj.engine.checkpoint(obj.actor(as_user), obj.now, directory)
    return Report(asdict(written), f"checkpoint written: {written.path}\n"
                  f"  {written.cases} case chains, global chain at event "
                  f"#{written.global_seq}, sha256 {written.sha256}")


COMMANDS = [trail]
