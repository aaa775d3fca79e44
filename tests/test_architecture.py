"""Architecture guards: the engine knows no front-end; front-ends use only its public API
(what ``engine/__init__.py`` exports, and ``engine.errors``); no module grows past 400 lines."""
import ast
import subprocess
import sys

import pytest

import engine

from support import ROOT

FRONT_ENDS = ("webapp", "cli", "worker", "printouts")
SOURCES = sorted(p for name in FRONT_ENDS for p in (ROOT / name).rglob("*.py"))


def violations(path) -> list[str]:
    """``line: what`` for each import of the engine that is not its public API."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "engine":
                found += [f"{node.lineno}: engine.{a.name}" for a in node.names
                          if a.name not in engine.__all__]
            elif node.module.startswith("engine.") and node.module != "engine.errors":
                found.append(f"{node.lineno}: {node.module}")
        elif isinstance(node, ast.Import):
            found += [f"{node.lineno}: {a.name}" for a in node.names
                      if a.name.startswith("engine.") and a.name != "engine.errors"]
    return found


def test_every_front_end_has_sources():
    assert {p.relative_to(ROOT).parts[0] for p in SOURCES} == set(FRONT_ENDS)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_front_ends_import_only_the_engine_api(path):
    assert violations(path) == []


def test_the_scan_finds_what_is_not_allowed(tmp_path):
    source = tmp_path / "bad.py"
    source.write_text("from engine import Actor, store\nfrom engine.cases import start\n"
                      "import engine.store\nfrom engine.errors import Forbidden\n"
                      "import engine\nimport engine.errors\n")
    assert violations(source) == ["1: engine.store", "2: engine.cases", "3: engine.store"]


def test_engine_never_imports_a_front_end():
    code = ("import sys, pkgutil, importlib, engine\n"
            "for m in pkgutil.walk_packages(engine.__path__, 'engine.'):\n"
            "    importlib.import_module(m.name)\n"
            "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('flask', 'webapp',"
            " 'flask_login', 'werkzeug', 'click', 'cli', 'worker', 'printouts',"
            " 'weasyprint'))\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_no_module_is_over_400_lines():
    modules = [p for name in ("engine", *FRONT_ENDS, "bench")
               for p in (ROOT / name).rglob("*.py") if "migrations" not in p.parts]
    long = {str(p.relative_to(ROOT)): n for p in modules
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}
