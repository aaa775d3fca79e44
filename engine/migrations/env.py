"""Alembic environment: runs on the engine handed over in the config's attributes.

On SQLite, batch migrations rebuild tables (copy, drop, rename); foreign keys are switched
off for the run, as SQLite's documentation prescribes for that procedure, and checked after.
"""
from alembic import context
from sqlalchemy import text

from engine.db import make_engine
from engine.models import Base

config = context.config
engine = config.attributes.get("engine") or make_engine()
sqlite = engine.dialect.name == "sqlite"

with engine.connect() as connection:
    if sqlite:
        # Before any transaction begins: the pragma is ignored inside one.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=sqlite)
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.execute(text("PRAGMA foreign_key_check")).all()
            if broken:
                raise RuntimeError(f"migration left rows without their parent: {broken[:5]}")
    connection.commit()
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
