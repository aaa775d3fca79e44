"""Flask CLI: ``flask --app webapp init-db [--demo]`` creates the schema and deploys workflows."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from engine import db as engine_db
from engine import definitions, demo

from . import clock


def deploy_workflows(session, folder: Path) -> list[str]:
    """Deploy every BPMN file of ``folder`` (unchanged files create no new version)."""
    done = []
    for path in sorted(folder.glob("*.bpmn")):
        bpmn, dmn, forms = definitions.collect_files([path])
        row, created = definitions.deploy(session, bpmn, dmn, forms, None, clock.now())
        done.append(f"{row.key} v{row.version}{'' if created else ' (unchanged)'}")
    return done


def init_app(app: Flask) -> None:
    """Register the commands."""

    @app.cli.command("init-db")
    @click.option("--demo", "with_demo", is_flag=True, help="Add the demo county and users.")
    @click.option("--workflows", type=click.Path(file_okay=False, path_type=Path),
                  default=None, help="Folder of BPMN files (default: workflows/).")
    def init_db(with_demo: bool, workflows: Path | None) -> None:
        """Migrate the database, deploy the workflows, optionally seed demo data."""
        engine = current_app.extensions["dixian.engine"]
        engine_db.migrate(engine)
        folder = workflows or Path(current_app.root_path).parent / "workflows"
        with engine_db.session_factory(engine)() as session:
            for line in deploy_workflows(session, folder):
                click.echo(f"deployed {line}")
            if with_demo:
                demo.seed(session, clock.now())
                click.echo(f"demo users created; password {demo.PASSWORD}")
            session.commit()
