"""Setting up: create the database, deploy definitions, list them."""
from __future__ import annotations

import click

from engine import demo

from .context import execute, transactional
from .output import Report, table


@click.command()
@click.option("--demo", "with_demo", is_flag=True,
              help="also create the demo county, its users and households")
@click.option("--workflows", default=None, type=click.Path(file_okay=False, exists=True),
              help="folder of BPMN files to deploy (default: the installed workflows/)")
@click.pass_obj
def init(obj, with_demo, workflows):
    """Create or upgrade the database, deploy workflows/ and optionally the demo data."""
    obj.engine.migrate()
    execute(obj, True, _deploy_and_seed, with_demo=with_demo, workflows=workflows)


def _deploy_and_seed(obj, with_demo, workflows):
    eng = obj.engine
    deployed = eng.deploy_folder(workflows, None, obj.now)
    seeded = []
    if with_demo and not eng.users():
        seeded = demo.seed(eng, obj.now or eng.clock())
        demo.seed_campaigns(eng, obj.now or eng.clock())
    lines = [f"database ready: {eng.database.url.render_as_string(hide_password=True)}"]
    lines += [f"definition {row.key} v{row.version} {'deployed' if created else 'unchanged'}"
              for row, created in deployed]
    if seeded:
        lines.append(f"demo users (password: {demo.PASSWORD}):")
        lines.append(table(seeded, [("user", lambda u: u[0]), ("level", lambda u: u[1]),
                                    ("area", lambda u: u[2])], indent="  "))
    elif with_demo:
        lines.append("demo data not created: the database already has users")
    return Report({"deployed": [{"definition": row, "created": created}
                                for row, created in deployed],
                   "demo_users": [{"username": name, "level": level, "area": area}
                                  for name, level, area in seeded],
                   "demo_password": demo.PASSWORD if seeded else None}, "\n".join(lines))


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--forms", "forms_dir", default=None, help="forms folder (default: ../forms)")
@click.option("--as", "as_user", default=None, help="the deploying administrator")
@click.option("--level", default=None, type=click.Choice(["village", "township", "county"]),
              help="acting level of the tasks whose lane and properties name none")
@transactional(write=True)
def deploy(obj, paths, forms_dir, as_user, level):
    """Deploy BPMN (and DMN) files as the next version of their process."""
    row, created = obj.engine.deploy_files(list(paths), obj.actor(as_user), obj.now, forms_dir,
                                           level)
    return Report({"definition": row, "created": created},
                  f"{row.key} v{row.version} "
                  f"{'deployed' if created else 'unchanged (same sha256)'}")


@click.command()
@transactional(write=False)
def definitions(obj):
    """List deployed definition versions, newest first per process."""
    rows = obj.engine.definitions()
    return Report(rows, table(rows, [("key", "key"), ("version", "version"),
                                     ("sha256", lambda r: r.sha256[:12]), ("name", "name"),
                                     ("deployed", "deployed_at")],
                              empty="no definitions deployed"))


COMMANDS = [init, deploy, definitions]
