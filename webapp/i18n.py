"""The UI language: the user's stored choice, else the session's, else Chinese."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import current_app, session
from flask_babel import get_locale


@lru_cache(maxsize=8)  # the configured languages only (LANGUAGES): two
def as_locale(name: str) -> Locale:
    """A Babel locale without the script subtag, so that ``zh_CN`` finds its catalog folder
    (Babel would otherwise read ``zh_CN`` as ``zh_Hans_CN``). Parsed once per name: each
    request's locale selection asks for it."""
    locale = Locale.parse(name)
    if locale.script and name.count("_") == 1:
        # Load the CLDR data under the full name first, then drop the script so that the
        # catalog is looked up as webapp/translations/zh_CN.
        assert locale._data is not None
        locale.script = None
    return locale


def select_locale() -> Locale:
    """The locale for this request."""
    from .auth import current_engine_user

    languages = current_app.config["LANGUAGES"]
    user = current_engine_user()
    if user is not None and user.locale in languages:
        return as_locale(user.locale)
    chosen = session.get("locale")
    return as_locale(chosen if chosen in languages
                     else current_app.config["BABEL_DEFAULT_LOCALE"])


def locale_name() -> str:
    """``zh_CN`` or ``en``: the locale name engine functions expect."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh_CN"
