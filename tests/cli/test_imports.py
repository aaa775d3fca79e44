"""Front-ends use only the engine's public API: ``from engine import …`` (names it exports)
and ``from engine.errors import …``."""
import ast

import pytest

import engine

from support import ROOT

FRONT_ENDS = ("cli", "worker")
# The demo data is a module of the engine package that ``dixian init --demo`` runs.
PUBLIC = set(engine.__all__) | {"demo"}


def engine_imports(path):
    """(line, module, names) of every import of an ``engine`` module in a source file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "engine":
                    yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == "engine":
            yield node.lineno, node.module, [alias.name for alias in node.names]


SOURCES = sorted(p for name in FRONT_ENDS for p in (ROOT / name).rglob("*.py"))


def test_front_ends_have_sources():
    assert {p.parent.name for p in SOURCES} == set(FRONT_ENDS)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_front_ends_import_only_the_public_api(path):
    wrong = []
    for line, module, names in engine_imports(path):
        if module == "engine.errors" and names:
            continue
        if module == "engine" and names and set(names) <= PUBLIC:
            continue
        wrong.append(f"{path.relative_to(ROOT)}:{line}: {module} {names}")
    assert not wrong, "front-ends import only `from engine import <public name>` and " \
                      "`from engine.errors import …`:\n" + "\n".join(wrong)


def test_the_scan_finds_a_private_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from engine.store import CaseRow\nimport engine.db\n"
                   "from engine import store\n", encoding="utf-8")
    assert [(m, n) for _, m, n in engine_imports(bad)] == [
        ("engine.store", ["CaseRow"]), ("engine.db", []), ("engine", ["store"])]
