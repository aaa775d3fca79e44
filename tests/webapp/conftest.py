"""Fixtures for the web UI tests: an Engine on a database holding the demo county and the
workflows, the app built around it, its test client and a login helper. Time stands still at
``START``.

On SQLite a template database is built once per test session and copied for each test. With
``DIXIAN_TEST_DATABASE_URL`` set (PostgreSQL), the suite's shared database is emptied, seeded
and deployed for each test instead.
"""
from __future__ import annotations

import os
import re
import shutil
from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import text

from engine import Engine, Settings, build_engine, demo
from support import ROOT
from tests.conftest import CHEAP_HASHER, empty

START = datetime(2025, 3, 10, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Beijing
WORKFLOWS = [ROOT / "workflows" / "monitoring_identification.bpmn",
             ROOT / "bench" / "four_tasks.bpmn"]


def _engine(url: str, database=None) -> Engine:
    return build_engine(Settings(database_url=url), database=database,
                        password_hasher=CHEAP_HASHER)


def _fill(eng: Engine) -> None:
    """The demo county, its users and households, and the two workflows."""
    demo.seed(eng, START)
    for path in WORKFLOWS:
        eng.deploy_files([path], None, START)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """A migrated SQLite file with demo data and deployed workflows."""
    path = tmp_path_factory.mktemp("template") / "dixian.sqlite"
    eng = _engine(f"sqlite:///{path}")
    with time_machine.travel(START, tick=False):
        eng.migrate()
        _fill(eng)
    eng.dispose()
    return path


@pytest.fixture
def clock():
    """Time frozen at START; tests move it with ``clock.move_to`` or ``clock.shift``."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def eng(request, tmp_path, clock):
    """The test's own Engine on a fresh copy of the demo database."""
    url = os.environ.get("DIXIAN_TEST_DATABASE_URL")
    if url:
        database = request.getfixturevalue("db_engine")
        empty(database)
        engine = _engine(url, database)
        _fill(engine)
        yield engine
        return
    path = tmp_path / "dixian.sqlite"
    shutil.copy(request.getfixturevalue("template_db"), path)
    engine = _engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def config_overrides():
    """Extra settings a test module may override."""
    return {}


@pytest.fixture
def app(eng, config_overrides):
    from webapp import create_app

    config = {"TESTING": True, "SECRET_KEY": "test", "DIXIAN_ENGINE": eng,
              "WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT": "1000/minute",
              "NODE_MODULES": str(ROOT / "node_modules")}
    config.update(config_overrides)
    return create_app(config)


@pytest.fixture
def client(app):
    return app.test_client()


class Auth:
    """Log in and out as demo users."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str = "village11", password: str = demo.PASSWORD):
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def user(eng):
    """A demo user (an ``Actor``) by name, as stored now."""
    return eng.find_user


@pytest.fixture
def bearer(eng, user):
    """Issue an API token for a demo user; returns the Authorization header for it."""
    def _bearer(username: str) -> dict:
        return {"Authorization": f"Bearer {eng.issue_token(user(username))}"}
    return _bearer


@pytest.fixture
def start(eng, user):
    """Start a case as a demo user; returns the engine's ``Started``."""
    def _start(key="four_tasks", username="village11", data=None):
        return eng.start(key, user(username), data or {})
    return _start


@pytest.fixture
def declaration():
    """Valid start data for an identification case of household 1 (village 360799100001)."""
    return {"household_id": 1, "channel": "self_declaration", "discovery_date": "2025-03-08",
            "risk_types": ["01"], "commitment_signed": True, "green_channel": False}


@pytest.fixture
def home_check():
    """Valid data of the home check (入户核实), as JSON."""
    return {"checkers": ["张三", "李四"], "check_date": "2025-03-09",
            "annual_household_income": 20000, "income_per_head": 5000,
            "out_of_pocket_medical": 0, "major_illness": True, "disability_grade": 0,
            "rigid_spending": 0, "formerly_poor": False, "sudden_shock": False}


@pytest.fixture
def case_of(eng, user):
    """A case as the county administrator reads it now (``CaseView``)."""
    return lambda case_id: eng.case(case_id, user("admin"))


@pytest.fixture
def open_items(case_of):
    """The open work items of a case, as stored now."""
    return lambda case_id: [i for i in case_of(case_id).items if i.status == "open"]


@pytest.fixture
def rows(eng):
    """Rows of a SQL query on the test database, for checks the engine has no read for."""
    def _rows(sql: str, **params):
        with eng.database.connect() as conn:
            return conn.execute(text(sql), params).all()
    return _rows


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in a page."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no csrf token in page"
    return found.group(1)


@pytest.fixture
def token_of():
    return csrf_token
