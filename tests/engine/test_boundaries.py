"""Architecture guards: the engine never imports Flask or the web application."""
import subprocess
import sys


def test_engine_never_imports_flask():
    code = ("import sys, pkgutil, importlib, engine\n"
            "for m in pkgutil.walk_packages(engine.__path__, 'engine.'):\n"
            "    importlib.import_module(m.name)\n"
            "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('flask', 'webapp',"
            " 'flask_login', 'werkzeug'))\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)
