"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when asked), sessions,
demo users and deployed definitions.

Set ``DIXIAN_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test`` to run the
suite on PostgreSQL; the schema ``public`` of that database is dropped and recreated.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import definitions, demo, directory, runtime
from engine.db import make_engine, migrate, session_factory
from engine.models import Base
from support import NOW, ROOT


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """Argon2 at minimum cost: the suite hashes hundreds of demo passwords."""
    from argon2 import PasswordHasher

    real = directory._HASHER
    directory._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    directory._HASHER = real


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
    """A migrated database engine, shared by the whole run."""
    engine = make_engine(db_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(engine)
    yield engine
    engine.dispose()


def _empty(engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
    runtime.CACHE.clear()
    definitions._cache.clear()


@pytest.fixture
def make_session(db_engine):
    """A session factory on an emptied database."""
    _empty(db_engine)
    return session_factory(db_engine)


@pytest.fixture
def db(make_session):
    """One session on an emptied database."""
    with make_session() as session:
        yield session


@pytest.fixture
def users(db):
    """The demo county, townships, villages, users and households; users by name."""
    demo.seed(db, NOW)
    db.commit()
    return {u.username: u for u in directory.users(db)}


@pytest.fixture
def deploy(db):
    """Deploy BPMN files (paths relative to the project root) and return the version row."""
    def _deploy(*paths, forms_dir=None):
        bpmn, dmn, form_sources = definitions.collect_files(
            [ROOT / p if not Path(p).is_absolute() else p for p in paths], forms_dir)
        row, _ = definitions.deploy(db, bpmn, dmn, form_sources, None, NOW)
        db.commit()
        return row
    return _deploy
