"""The Dixian web application: ``create_app`` assembles it from small ``register_*`` steps."""
from __future__ import annotations

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Flask app; ``test_config`` overrides the environment's settings."""
    app = Flask(__name__, instance_relative_config=True)
    register_config(app, test_config)
    register_proxy(app)
    register_extensions(app)
    register_engine(app)
    register_security(app)
    register_sanitizing(app)
    register_templates(app)
    register_blueprints(app)
    register_errorhandlers(app)
    return app


def register_config(app: Flask, test_config: dict | None) -> None:
    """Settings from ``DIXIAN_*`` environment variables, then ``test_config``."""
    from . import config

    app.config.from_mapping(config.from_environment(app.instance_path, app.root_path))
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(app.instance_path)


def register_proxy(app: Flask) -> None:
    """Trust X-Forwarded-* from that many proxies (``DIXIAN_PROXY_FIX``), for the rate limit."""
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    """Attach the cookie sessions, CSRF protection, the login manager and Babel."""
    from . import i18n, sessions
    from .extensions import babel, csrf, login_manager

    sessions.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   timezone_selector=lambda: "Asia/Shanghai")


def register_engine(app: Flask) -> None:
    """The app's one Engine, and one transaction per request."""
    from . import transaction

    transaction.init_app(app)


def register_security(app: Flask) -> None:
    """Security headers on every response."""
    from . import security

    security.init_app(app)


def register_sanitizing(app: Flask) -> None:
    """One input check for every route: sizes, characters, numbers, JSON (before routes
    are added, so that their ``<int:…>`` ids are bounded)."""
    from . import sanitize

    sanitize.init_app(app)


def register_templates(app: Flask) -> None:
    """Template filters and globals: local times, days left, navigation counts."""
    from . import helpers

    helpers.init_app(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature; the JSON API checks CSRF itself (bearer tokens need none)."""
    from . import (admin, api, audit, auth, cases, clues, elimination, fieldwork, households,
                   inbox, projects, reports, supervision, tasks, vendor)
    from .extensions import csrf

    for module in (auth, inbox, tasks, cases, households, clues, fieldwork, projects, reports,
                   admin, supervision, audit, vendor, elimination):
        app.register_blueprint(module.bp)
    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)


def register_errorhandlers(app: Flask) -> None:
    """Plain pages for 400/403/404/413/429 and engine errors."""
    from . import errors

    errors.init_app(app)

