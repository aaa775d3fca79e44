"""Fixtures for the browser tests: the real app served over HTTP on 127.0.0.1, Debian's
Chromium driven headless by Playwright, a login helper and a screenshot folder.

The server is the Flask app (CSRF on, as deployed) under werkzeug's threaded server in a
background thread, on a free port, with its own Engine on the suite's test database
(``db_engine``: a fresh SQLite file, or PostgreSQL with ``DIXIAN_TEST_DATABASE_URL``). Each
test seeds the demo county with the shared ``users`` fixture and deploys the identification
workflow with ``deploy``. The app reads the wall clock; tests move cases past timers by
firing them with the test's Engine (``eng``) at a later ``now`` on the same database.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium`` (Debian's
package ``chromium``; ``DIXIAN_CHROMIUM`` names another binary). Without it the tests fail,
they are not skipped.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from flask import got_request_exception
from werkzeug.serving import make_server

from engine import Settings, build_engine, demo
from support import ROOT
from tests.conftest import CHEAP_HASHER

CHROMIUM = os.environ.get("DIXIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
IDENTIFICATION = "workflows/monitoring_identification.bpmn"


# -- the browser ----------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch arguments, pointed at Debian's Chromium, headless."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: the browser tests need Debian's "
                    "package (apt-get install chromium, or scripts/bootstrap-system.sh "
                    "--test); Playwright's own browser downloads are not used.",
                    pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True,
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Chinese desktop browser in Beijing time, like the bureaus'."""
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1280, "height": 900}}


# -- the server -----------------------------------------------------------------------

@pytest.fixture(scope="session")
def server_errors():
    """Unhandled exceptions raised in views while a test runs."""
    return []


@pytest.fixture(scope="session")
def live_server(db_engine, db_url, compiled_catalog, server_errors):
    """The web app on http://127.0.0.1:<free port>; yields its base URL."""
    from webapp import create_app

    engine = build_engine(Settings(database_url=db_url), database=db_engine,
                          password_hasher=CHEAP_HASHER)
    app = create_app({"SECRET_KEY": "browser-tests", "DIXIAN_ENGINE": engine,
                      "LOGIN_RATE_LIMIT": "1000/minute",
                      "NODE_MODULES": str(ROOT / "node_modules")})

    def record(sender, exception, **extra):
        server_errors.append(repr(exception))

    got_request_exception.connect(record, app, weak=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="dixian-live-server",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def base_url(live_server):
    """Replaces pytest-base-url's fixture (a method fixture pytest 9 deprecates): relative
    URLs in ``page.goto`` go to the live server."""
    return live_server


@pytest.fixture
def demo_site(live_server, users, deploy, server_errors):
    """The served app on a database holding the demo county and the identification
    workflow; fails the test if a view raised."""
    deploy(IDENTIFICATION)
    server_errors.clear()
    yield live_server
    assert not server_errors, f"the app raised: {server_errors}"


# -- helpers --------------------------------------------------------------------------

@pytest.fixture
def login(browser, browser_context_args, demo_site):
    """``login(username)``: a new browser context logged in as a demo user, on its inbox
    (or overview page). Contexts are closed at the end of the test."""
    from playwright.sync_api import expect

    contexts = []

    def _login(username: str, password: str = demo.PASSWORD):
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password)
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/(inbox)?$"))
        expect(page.locator("header.site .who")).to_be_visible()
        return page

    yield _login
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where screenshots go (artifacts/ is not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
