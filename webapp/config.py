"""Configuration from environment variables with safe defaults, read when the app is built."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

MIB = 1024 * 1024


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def secret_key(instance_path: str) -> str:
    """``DIXIAN_SECRET_KEY``, else a random key generated once and kept in the instance folder."""
    key = os.environ.get("DIXIAN_SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created with mode 0600 so that only the service account can read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def from_environment(instance_path: str, root_path: str) -> dict:
    """The settings of a deployment, from ``DIXIAN_*`` environment variables."""
    upload_max = int(os.environ.get("DIXIAN_UPLOAD_MAX_BYTES", 10 * MIB))
    return {
        "DATABASE_URL": os.environ.get("DIXIAN_DATABASE_URL", "sqlite:///var/dixian.sqlite"),
        "UPLOAD_MAX_BYTES": upload_max,
        # The request may carry form fields besides the file itself.
        "MAX_CONTENT_LENGTH": upload_max + MIB,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("DIXIAN_SECURE_COOKIES", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag("DIXIAN_SECURE_COOKIES", False),
        "LOGIN_RATE_LIMIT": os.environ.get("DIXIAN_LOGIN_RATE_LIMIT", "10/minute"),
        "RATELIMIT_ENABLED": _flag("DIXIAN_RATELIMIT_ENABLED", True),
        "PROXY_FIX": int(os.environ.get("DIXIAN_PROXY_FIX", 0)),
        "NODE_MODULES": os.environ.get("DIXIAN_NODE_MODULES",
                                       str(Path(root_path).parent / "node_modules")),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh_CN", "en"],
        "PAGE_SIZE": 25,
        "WTF_CSRF_TIME_LIMIT": None,
    }
