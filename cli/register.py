"""The register of monitoring objects and the periods of a case, from the command line."""
from __future__ import annotations

from dataclasses import replace

import click

from .context import json_object, transactional
from .output import Report, cell, table


@click.command()
@click.argument("household", type=int)
@click.option("--as", "as_user", required=True, help="a user of the household's area")
@transactional(write=False)
def register(obj, household, as_user):
    """Show a household's register entry: members, income, monitoring, cases."""
    entry = obj.engine.register_entry(household, obj.actor(as_user), obj.now)
    entry = replace(entry, household=replace(entry.household,
                                             id_number=entry.household.masked_id,
                                             phone=""))
    lines = [f"household {entry.household.id} {entry.household.head_name} "
             f"{entry.household.id_number} ({entry.household.village_code})"]
    m = entry.monitoring
    lines.append("monitoring: " + (f"{m.status} · {m.object_type} · risks "
                                   f"{','.join(m.risk_types)} · helper {m.helper_name} · "
                                   f"case {m.identified_case_id}" if m else "not monitored")
                 + (f" · eliminated {cell(m.eliminated_at)} ({m.elimination_mode})"
                    if m and m.eliminated_at else ""))
    if entry.income:
        lines.append(f"income to {entry.income.period_end}: net {entry.income.net_income}, "
                     f"per head {entry.income.per_capita}")
    lines.append(table(entry.members, [("name", "name"), ("ID number", "masked_id"),
                                       ("relation", "relation"), ("health", "health"),
                                       ("labour", "labour_capacity")], empty="no members"))
    lines.append(table(entry.cases, [("case", "id"), ("process", "process_key"),
                                     ("status", "status"), ("outcome", "outcome"),
                                     ("started", lambda c: cell(c.started_at))],
                       empty="no cases"))
    return Report(entry, "\n".join(lines))


@click.command()
@click.argument("case", type=int)
@click.option("--as", "as_user", required=True, help="village or township staff of the case")
@click.option("--data", default="{}", help="the objection as a JSON object")
@click.option("--step", default="publicity_objections", show_default=True,
              help="the period's step")
@transactional(write=True)
def objection(obj, case, as_user, data, step):
    """Lodge an objection in a case's open publicity period."""
    done = obj.engine.lodge(case, step, obj.actor(as_user), json_object(data), obj.now)
    return Report(done, f"objection lodged in case {case}; next: "
                        + ", ".join(f"item {i.id} {i.title}" for i in done.items))


COMMANDS = [register, objection]
