"""dixian trail verify: intact chains pass; an edited or removed row fails with exit 1."""
from sqlalchemy import text

from support import ROOT

FOUR = str(ROOT / "bench" / "four_tasks.bpmn")


def test_global_chain_intact_then_tampered(cli, users, db_engine):
    code, out = cli("trail", "verify", "--global")
    assert code == 0 and out.startswith("global chain: trail intact, ")
    assert cli.json("trail", "verify", "--global", "--as", "auditor")["ok"] is True
    with db_engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET data = '{\"username\": \"mallory\"}' "
                          "WHERE case_id IS NULL AND seq = 2"))
    code, out = cli("trail", "verify", "--global")
    assert code == 1
    assert out.strip() == ("global chain: TRAIL BROKEN: event #2 (user_created) was altered "
                           "after it was written")
    code, out = cli("trail", "verify", "--global", as_json=True)
    assert code == 1 and '"ok": false' in out


def test_case_chain_with_a_removed_event(cli, users, db_engine):
    cli("deploy", FOUR)
    item = cli.json("start", "four_tasks", "--as", "village11")["items"][0]["id"]
    cli("complete", str(item), "--as", "village11")
    assert cli("trail", "verify", "1")[1].strip() == "case 1: trail intact, 2 events"
    with db_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE case_id = 1 AND seq = 2"))
    code, out = cli("trail", "verify", "1")
    assert code == 1 and out.startswith("case 1: TRAIL BROKEN: the chain records 2 events")
    assert "TRAIL BROKEN" in cli("case", "1")[1]


def test_global_chain_is_for_administrators_and_auditors(cli, users):
    code, out = cli("trail", "verify", "--global", "--as", "village11")
    assert (code, out) == (1, "error: user village11 is not an administrator\n")


def test_verify_needs_a_case_or_global(cli):
    assert cli("trail", "verify")[0] == 2
    assert cli("trail", "verify", "1", "--global")[0] == 2


def test_checkpoint_written_then_checked(cli, users, db_engine, tmp_path):
    cli("deploy", FOUR)
    item = cli.json("start", "four_tasks", "--as", "village11")["items"][0]["id"]
    code, out = cli("trail", "checkpoint", "--dir", str(tmp_path), "--as", "auditor")
    assert code == 0 and "1 case chains" in out
    written = next(tmp_path.glob("checkpoint-*.json"))
    code, out = cli("trail", "verify", "--checkpoint", str(written))
    assert code == 0 and "1 case chains and the global chain still hold" in out
    cli("complete", str(item), "--as", "village11")
    assert cli("trail", "verify", "--checkpoint", str(written))[0] == 0  # moved on: fine
    with db_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE case_id = 1"))
    code, out = cli("trail", "verify", "--checkpoint", str(written))
    assert code == 1 and "case 1: event #1 is not the one the checkpoint recorded" in out


def test_checkpoints_are_for_administrators_and_auditors(cli, users, tmp_path):
    code, out = cli("trail", "checkpoint", "--dir", str(tmp_path), "--as", "village11")
    assert (code, out) == (1, "error: user village11 is not an administrator\n")
