"""The web application is a front-end: it imports only the engine's public API, that is what
``engine/__init__.py`` exports, and the engine's errors."""
import ast

import engine
from support import ROOT


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


def test_webapp_imports_only_the_engine_api():
    sources = sorted((ROOT / "webapp").rglob("*.py"))
    assert len(sources) > 10
    wrong = [f"{path.relative_to(ROOT)}:{problem}" for path in sources
             for problem in violations(path)]
    assert wrong == []


def test_the_scan_finds_what_is_not_allowed(tmp_path):
    source = tmp_path / "bad.py"
    source.write_text("from engine import Actor, demo\nfrom engine.cases import start\n"
                      "import engine.store\nfrom engine.errors import Forbidden\n"
                      "import engine\nimport engine.errors\n")
    assert violations(source) == ["1: engine.demo", "2: engine.cases", "3: engine.store"]
