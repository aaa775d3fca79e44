"""The README's CLI walkthrough, run command by command on a fresh database: it must stay true."""
import json
import re
import shlex

from click.testing import CliRunner

from cli import main

from support import ROOT


def walkthrough_commands() -> list[list[str]]:
    """The dixian commands of the README's walkthrough block, continuation lines joined."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Walkthrough.*?```\n(.*?)```", text, re.S).group(1)
    commands, pending = [], ""
    for line in block.replace("\\\n", " ").splitlines():
        pending = f"{pending}\n{line}" if pending else line
        try:
            words = shlex.split(pending, comments=True)
        except ValueError:  # a quoted JSON argument goes on over the next line
            continue
        pending = ""
        if words[:1] == [".venv/bin/dixian"]:
            commands.append(words[1:])
    return commands


def test_readme_walkthrough_runs_a_whole_case(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    db = f"sqlite:///{tmp_path}/walkthrough.sqlite"
    commands = walkthrough_commands()
    assert len(commands) >= 14
    runner = CliRunner()
    outputs = []
    for args in commands:
        result = runner.invoke(main, ["--db", db, *args])
        assert result.exit_code == 0, f"dixian {' '.join(args)}\n{result.output}"
        outputs.append(result.output)
    assert "王建国" in outputs[1] and "360799********4515" in outputs[1]
    view = json.loads(runner.invoke(main, ["--db", db, "--json", "case", "1"]).output)
    case = view["case"]
    assert (case["status"], case["outcome"]) == ("completed", "approved")
    assert case["deadline_met_at"] is not None and not case["overdue"]
    events = [e["event"] for e in view["trail"]]
    assert events.count("task_completed") == 8 and "timer_fired" in events
    assert outputs[-1].strip() == f"case 1: trail intact, {len(events)} events"
    assert "monitoring: monitoring · 边缘易致贫户" in outputs[-2]
    assert "公示期异议登记" not in "".join(outputs)        # publicity is no to-do
