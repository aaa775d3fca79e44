"""``dixian elimination …``, ``dixian national entered``, ``dixian export national`` and
``dixian remind-visits``: a proposal refused and then started, the conditions, a rollback,
the export workbook and the national entry."""
import io
import json

import openpyxl
from sqlalchemy import update

from elimination_support import PROPOSAL, ready_household
from engine.register_models import MonitoringObject


def test_conditions_proposal_rollback_and_history(cli, eng, users, deploy):
    ready_household(eng, users, deploy)
    with eng.transaction() as tx:
        tx.conn.execute(update(MonitoringObject.__table__).values(aid_measures=""))
    code, out = cli("elimination", "check", "1", "--as", "village11")
    assert code == 0 and "conditions NOT met" in out and "no aid measure in the register" in out
    code, out = cli("start", "risk_elimination", "--as", "village11", "--data",
                    json.dumps(PROPOSAL))
    assert code == 1 and "至少落实一项帮扶措施" in out
    with eng.transaction() as tx:
        tx.conn.execute(update(MonitoringObject.__table__).values(aid_measures="employment",
                                                                  status="eliminated"))
    code, out = cli("elimination", "rollback", "1", "--as", "township1", "--reason", "x")
    assert code == 1 and "only county staff" in out
    code, out = cli("elimination", "rollback", "1", "--as", "county1")
    assert code == 2 and "--reason" in out
    code, out = cli("elimination", "rollback", "1", "--as", "county1", "--reason", "返贫风险")
    assert code == 0 and "monitored again" in out, out
    history = cli.json("elimination", "history", "1", "--as", "village11")
    assert [h["event"] for h in history] == ["taken_in", "rolled_back"]
    code, out = cli("elimination", "check", "1", "--as", "village11")
    assert code == 0 and "every condition met" in out
    code, out = cli("start", "risk_elimination", "--as", "village11", "--data",
                    json.dumps(PROPOSAL))
    assert code == 0, out


def test_export_national_and_entry(cli, eng, users, deploy, tmp_path):
    ready_household(eng, users, deploy)
    out_file = tmp_path / "national.xlsx"
    code, out = cli("export", "national", "--as", "township2", "--xlsx", str(out_file))
    assert code == 0 and "0 household rows" in out
    code, out = cli("export", "national", "--as", "county1", "--xlsx", str(out_file),
                    "--from", "2026-03-01", "--to", "2026-03-31")
    assert code == 0 and "1 household rows, 2 member rows" in out, out
    book = openpyxl.load_workbook(io.BytesIO(out_file.read_bytes()))
    assert [ws.title for ws in book.worksheets] == ["监测对象", "家庭成员"]
    assert book.worksheets[0]["G2"].value == "王建国"
    code, out = cli("export", "national", "--as", "county1", "--xlsx", str(out_file),
                    "--from", "someday")
    assert code == 1 and "not a date" in out
    code, out = cli("national", "entered", "999", "--as", "county1")
    assert code == 1 and "does not exist" in out
    code, out = cli("remind-visits")
    assert code == 0 and "reminded" in out


def test_the_worker_chore_sends_the_month_reminders_once(eng, users):
    from datetime import datetime, timezone

    from elimination_support import take_in
    from engine.supervision_models import Notification
    from support import count
    from worker.reminders import visit_reminder_chore

    take_in(eng, 3)
    chore = visit_reminder_chore(eng, lambda: datetime(2026, 11, 21, 2, tzinfo=timezone.utc),
                                 every=0)
    assert chore() is True
    assert chore() is False
    sent = count(eng, Notification, Notification.kind == "visit_due")
    assert sent >= 1 and sent == len([u for u in eng.users() if u.area_code == "360799100002"
                        and "staff" in u.roles])
    throttled = visit_reminder_chore(eng, lambda: datetime(2026, 12, 21, 2,
                                                           tzinfo=timezone.utc))
    assert throttled() is True and throttled() is False
