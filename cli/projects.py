"""The project library and its funds: ``dixian projects …``.

A project is proposed with ``dixian start project_intake --as USER --data '{…}'`` and its
steps are completed like any other work item.
"""
from __future__ import annotations

from pathlib import Path

import click

from engine import FUND_SOURCES, PROJECT_TYPES, InvalidData

from .context import day, transactional
from .output import Report, table

as_user = click.option("--as", "as_user", required=True, help="the user who acts")
PROJECT_COLUMNS = [("id", "id"), ("name", "name"), ("type", "project_type"),
                   ("area", "area_code"), ("year", "year"), ("status", "status"),
                   ("budget", "budget_total"), ("allocated", "allocated"), ("paid", "paid"),
                   ("urgent", "priority"), ("now at", "current_steps")]
RELEASE_COLUMNS = [("id", "id"), ("document", "document"), ("source", "source"),
                   ("released", "released_on"), ("amount", "amount"),
                   ("allocated", "allocated"), ("left", "remaining"),
                   ("idle", lambda r: f"{r.idle_days} days" if r.idle else "")]


def filter_options(command):
    """The library's filters as options."""
    for option in reversed([
            click.option("--year", type=int, default=None),
            click.option("--type", "project_type", type=click.Choice(PROJECT_TYPES),
                         default=None),
            click.option("--status", type=click.Choice(["proposed", "admitted", "rejected",
                                                        "withdrawn"]), default=None),
            click.option("--area", default=None, help="a township or village code"),
            click.option("--emergency", is_flag=True, help="only urgent projects"),
            click.option("--search", "text", default=None, help="part of the name or works")]):
        command = option(command)
    return command


@click.group()
def projects():
    """The project library (项目库) and its connection funds."""


@projects.command(name="list")
@as_user
@filter_options
@click.option("--page", type=click.IntRange(min=1), default=1)
@transactional(write=False)
def list_projects(obj, as_user, page, **filters):
    """List the projects of the user's area."""
    found = obj.engine.library(obj.actor(as_user), filters, page, 100)
    more = f"\nmore: --page {page + 1}" if found.has_next else ""
    return Report(found, table(found.projects, PROJECT_COLUMNS, "no projects") + more)


@projects.command()
@click.argument("project_id", metavar="PROJECT", type=int)
@as_user
@transactional(write=False)
def show(obj, project_id, as_user):
    """Show a project with its allocations and payments."""
    actor = obj.actor(as_user)
    project, funds = obj.engine.project(project_id, actor), obj.engine.project_funds(
        project_id, actor)
    lines = [f"project {project.id} {project.name} ({project.project_type}, {project.year}) "
             f"{project.status}{' URGENT' if project.priority else ''}",
             f"area {project.area_code}  budget {project.budget_total}  intake case "
             f"{project.case_id or '-'}  now at {'、'.join(project.current_steps) or '-'}",
             "targets: " + ("; ".join(project.performance_targets) or "NONE"),
             f"allocated {funds.allocated}  paid {funds.paid}  advanced {funds.advanced}",
             table(funds.payments, [("kind", "kind"), ("amount", "amount"),
                                    ("progress", "progress"), ("paid", "paid_on"),
                                    ("note", "note")], "no payments", "  ")]
    return Report({"project": project, "funds": funds}, "\n".join(lines))


@projects.command()
@as_user
@filter_options
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="the .xlsx file to write")
@transactional(write=False)
def export(obj, as_user, out, **filters):
    """Write the library (filtered) to an Excel workbook."""
    content = obj.engine.project_workbook(obj.actor(as_user), filters, obj.now)
    Path(out).write_bytes(content)
    return Report({"file": out, "bytes": len(content)}, f"wrote {out} ({len(content)} bytes)")


@projects.command()
@as_user
@click.option("--year", type=int, default=None, help="default: this year")
@transactional(write=False)
def funds(obj, as_user, year):
    """Releases of a year, funds idle over 30 days and the industry share against 55%."""
    view = obj.engine.funds_overview(obj.actor(as_user), year, obj.now)
    share = "-" if view.industry_share is None else f"{view.industry_share}%"
    lines = [f"funds {view.year}: released {view.released}, allocated {view.allocated}, "
             f"industry {view.industry} = {share} (target {view.industry_target}%: "
             f"{'met' if view.meets_target else 'NOT MET'})",
             table(view.releases, RELEASE_COLUMNS, "no releases")]
    if view.idle:
        lines += ["not assigned within 30 days:", table(view.idle, RELEASE_COLUMNS,
                                                        indent="  ")]
    return Report(view, "\n".join(lines))


@projects.command()
@as_user
@click.option("--document", required=True, help="the release's document number (文号)")
@click.option("--source", required=True, type=click.Choice(FUND_SOURCES))
@click.option("--amount", required=True, help="yuan")
@click.option("--on", "released_on", required=True, help="release date YYYY-MM-DD")
@transactional(write=True)
def release(obj, as_user, document, source, amount, released_on):
    """Record connection funds released to the county."""
    view = obj.engine.release_funds(obj.actor(as_user), document, source, amount,
                                    day(released_on), obj.now)
    return Report(view, f"release {view.id} {view.document}: {view.amount} yuan")


@projects.command()
@click.argument("project_id", metavar="PROJECT", type=int)
@as_user
@click.option("--release", "release_id", required=True, type=int)
@click.option("--amount", required=True, help="yuan")
@transactional(write=True)
def allocate(obj, project_id, as_user, release_id, amount):
    """Assign part of a release to an admitted project."""
    view = obj.engine.allocate(obj.actor(as_user), project_id, release_id, amount,
                               now=obj.now)
    return Report(view, f"allocated {view.amount} yuan of {view.document} to project "
                        f"{project_id}")


@projects.command()
@click.argument("project_id", metavar="PROJECT", type=int)
@as_user
@click.option("--kind", required=True, type=click.Choice(["advance", "progress", "payment"]))
@click.option("--amount", required=True, help="yuan")
@click.option("--progress", type=click.IntRange(1, 100), default=None,
              help="the works' progress in per cent (progress payments)")
@click.option("--note", default="")
@transactional(write=True)
def pay(obj, project_id, as_user, kind, amount, progress, note):
    """Record a payment; one beyond the 30–50%/progress rule is refused with the reason."""
    view = obj.engine.pay(obj.actor(as_user), project_id, kind, amount, progress, None, note,
                          obj.now)
    return Report(view, f"paid {view.amount} yuan ({view.kind}) to project {project_id}")


@projects.command()
@transactional(write=False)
def campaigns(obj):
    """List the library's campaigns and their dates."""
    rows = obj.engine.campaigns()
    return Report(rows, table(rows, [("name", "name"), ("first", "first_year"),
                                     ("last", "last_year"), ("guide", "guide_due"),
                                     ("intake", "intake_due"), ("entry", "entry_due")],
                              "no campaigns"))


@projects.command()
@click.argument("name")
@as_user
@click.option("--years", required=True, help="FIRST-LAST, e.g. 2023-2025")
@click.option("--guide", required=True, help="guide by YYYY-MM-DD")
@click.option("--intake", required=True, help="intake done by YYYY-MM-DD")
@click.option("--entry", required=True, help="system entry by YYYY-MM-DD")
@transactional(write=True)
def campaign(obj, name, as_user, years, guide, intake, entry):
    """Create or change campaign NAME's years and dates."""
    first, _, last = years.partition("-")
    if not (first.isdigit() and last.isdigit()):
        raise InvalidData("--years must be FIRST-LAST, e.g. 2023-2025")
    view = obj.engine.set_campaign(obj.actor(as_user), name, int(first), int(last),
                                   day(guide), day(intake), day(entry), obj.now)
    return Report(view, f"campaign {view.name}: intake by {view.intake_due}")


COMMANDS = [projects]
