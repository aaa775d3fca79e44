"""``dixian import warnings`` and ``dixian clues``: an import with good, bad and duplicate
rows printed by number, its re-import, and a clue declared and another closed."""
import json

from clue_support import IDENTIFICATION, csv_file, mixed_rows


def test_import_prints_rows_by_number_and_reimport_adds_nothing(cli, users, tmp_path):
    path = tmp_path / "民政预警.csv"
    path.write_bytes(csv_file(mixed_rows()))
    code, out = cli("import", "warnings", str(path), "--as", "county1", "--department", "民政",
                    "--chunk", "3")
    assert code == 0, out
    assert "import 1 of 民政预警.csv (民政): 3 imported, 1 skipped, 3 refused of 7 rows" in out
    assert "imported rows: 2, 3, 4" in out
    assert "skipped rows: 8\n  row 8: same ID number as row 2 of this file" in out
    assert "refused rows: 5, 6, 7" in out
    assert "row 5, column 身份证号 (id_number): '360799197001011230' has a wrong check digit" in out
    assert "row 6, column 预警事由 (reason): is empty" in out
    assert "3/7 rows (42%)\n6/7 rows (85%)\n7/7 rows (100%)" in out

    code, out = cli("import", "warnings", str(path), "--as", "county1", "--department", "民政")
    assert code == 0 and "0 imported, 4 skipped, 3 refused" in out
    code, out = cli("import", "warnings", str(path), "--as", "village11", "--department", "民政")
    assert code == 1 and "only county staff import department warnings" in out
    code, out = cli("import", "warnings", str(path), "--as", "county1", "--department",
                    "民政", "--preview")
    assert code == 0 and "preview 3 of 民政预警.csv: 0 good, 4 duplicate, 3 with errors" in out


def test_village_declares_one_clue_and_closes_another(cli, users, tmp_path):
    assert cli("deploy", IDENTIFICATION)[0] == 0
    path = tmp_path / "w.csv"
    path.write_bytes(csv_file(mixed_rows()))
    assert cli("import", "warnings", str(path), "--as", "county1", "--department", "医保")[0] == 0
    listing = cli.json("clues", "list", "--as", "village11", "--status", "open")
    first, second = [c["id"] for c in listing["clues"]]
    code, out = cli("clues", "declare", str(first), "--as", "village11", "--data",
                    json.dumps({"commitment_signed": True,
                                "late_reason": "民政部门预警数据晚于排查周期送达"}))
    assert code == 0 and f"risk clue {first} declared: case 1 started" in out
    code, out = cli("clues", "close", str(second), "--as", "village11", "--reason",
                    "核实为误报")
    assert code == 0 and "closed: 核实为误报" in out
    code, out = cli("clues", "list", "--as", "county1")
    assert "open 1, declared 1, closed 1" in out


def test_visits_and_screening_from_the_command_line(cli, users, eng, tmp_path):
    from datetime import datetime, timezone

    from clue_support import id_number
    county = users["county1"]
    now = datetime(2026, 11, 20, 2, tzinfo=timezone.utc)
    household = eng.add_household(county, "孙有田", id_number(1, "19600101"), "360799100001",
                                  3, "formerly_poor", 7000.0, now=now).id
    code, out = cli("visits", "plan", "--as", "village11")
    assert code == 0 and "visits 2026-11 in 360799100001: 0 visited, 1 due, 0 missed" in out
    photo = tmp_path / "门前.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    code, out = cli("visits", "record", str(household), "--as", "village11", "--on",
                    "2026-11-19", "--visitors", "李书记 王队员", "--income", "sharp_drop",
                    "--broken", "safe_water", "--photo", str(photo))
    assert code == 0, out
    assert "(1 photos); WARNING: sharp_drop, safe_water: open a risk clue with" in out
    visit_id = out.split()[1]
    code, out = cli("visits", "clue", visit_id, "--as", "village11")
    assert code == 0 and f"opened from visit {visit_id}" in out
    code, out = cli("visits", "plan", "--as", "county1", "--month", "2026-11")
    assert "1 visited, 0 due, 0 missed" in out and "WARNING" in out

    code, out = cli("screening", "open", "2026年冬季集中排查", "--as", "county1", "--from",
                    "2026-11-20", "--to", "2026-12-20")
    assert code == 0 and "6 households on 4 village lists" in out
    code, out = cli("screening", "record", "1", str(household), "--as", "village11")
    assert code == 0 and "screened: no risk" in out
    code, out = cli("screening", "coverage", "1", "--as", "township1")
    assert code == 0 and "1/4 screened (25%), 0 risks" in out
