"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when asked), an Engine on it,
demo users and deployed definitions.

Set ``DIXIAN_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test`` to run the
suite on PostgreSQL; the schema ``public`` of that database is dropped and recreated.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from engine import Settings, build_engine, demo
from engine.db import make_engine, migrate
from engine.models import Base
from support import NOW, ROOT

# Argon2 at minimum cost: the suite hashes hundreds of demo passwords.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalog():
    """Compile the Chinese catalog if its .mo file is missing or older (the Makefile's job)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = ROOT / "webapp" / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as handle:
            catalog = read_po(handle, locale="zh_CN")
        with mo.open("wb") as handle:
            write_mo(handle, catalog)


@pytest.fixture(scope="session")
def db_url(tmp_path_factory) -> str:
    """The test database URL: PostgreSQL if configured, else a fresh SQLite file."""
    return (os.environ.get("DIXIAN_TEST_DATABASE_URL")
            or f"sqlite:///{tmp_path_factory.mktemp('db')}/test.sqlite")


@pytest.fixture(scope="session")
def db_engine(db_url):
    """A migrated SQLAlchemy engine, shared by the whole run."""
    database = make_engine(db_url)
    if database.dialect.name == "postgresql":
        with database.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(database)
    yield database
    database.dispose()


def empty(database) -> None:
    """Delete every row of every table."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with database.begin() as conn:
        if database.dialect.name == "postgresql":
            # A connection a test left open would hold its locks: fail, don't hang.
            conn.execute(text("SET LOCAL lock_timeout = '20s'"))
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def eng(db_engine, db_url):
    """A fresh Engine on an emptied database (nothing shared with other tests)."""
    empty(db_engine)
    engine = build_engine(Settings(database_url=db_url), database=db_engine,
                          password_hasher=CHEAP_HASHER)
    return engine


@pytest.fixture
def users(eng):
    """The demo county, townships, villages, users and households; users by name."""
    demo.seed(eng, NOW)
    return {u.username: u for u in eng.users()}


@pytest.fixture
def deploy(eng):
    """Deploy BPMN files (paths relative to the project root); returns the version row."""
    def _deploy(*paths, forms_dir=None):
        row, _ = eng.deploy_files([ROOT / p if not Path(p).is_absolute() else p
                                   for p in paths], None, NOW, forms_dir)
        return row
    return _deploy


@pytest.fixture(autouse=True)
def state_encoding_matches_spiffworkflow(monkeypatch):
    """Every state the engine writes in any test equals what SpiffWorkflow's own serializer
    gives for the same workflow, and restores to a workflow that encodes the same again."""
    import orjson
    from SpiffWorkflow.bpmn.serializer.workflow import VERSION

    from engine.state import VERSION_KEY, StateCodec

    real = StateCodec.encode

    def checked(codec, workflow):
        text = real(codec, workflow)
        reference = codec.registry.convert(workflow)  # the serializer's own path
        reference[VERSION_KEY] = VERSION
        stored = orjson.loads(text)
        assert stored == orjson.loads(orjson.dumps(reference))
        stored.pop(VERSION_KEY)
        restored = codec.registry.restore(stored, spec=workflow.spec,
                                          subprocess_specs=workflow.subprocess_specs)
        assert orjson.loads(real(codec, restored)) == orjson.loads(text)
        return text
    monkeypatch.setattr(StateCodec, "encode", checked)
