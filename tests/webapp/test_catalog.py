"""Every text the web app shows a user has its Chinese translation: a string marked for
translation but missing from the catalog (or left fuzzy, which is not compiled) would
appear in English on a Chinese page."""
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from support import ROOT

CATALOG = ROOT / "webapp" / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"


def marked_strings() -> dict[str, str]:
    """Each string marked with _(), _l(), ngettext … in webapp/, with where it is."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {}
    for filename, line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords={**DEFAULT_KEYWORDS, "_l": None}):
        first = message[0] if isinstance(message, tuple) else message
        found.setdefault(first, f"{filename}:{line}")
    return found


def test_every_marked_string_is_translated():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    found = marked_strings()
    assert len(found) > 300  # the scan sees the templates and the Python sources
    untranslated = {text: where for text, where in found.items()
                    if not (catalog.get(text) and catalog.get(text).string)
                    or catalog.get(text).fuzzy}
    assert untranslated == {}
