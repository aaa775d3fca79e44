"""Department warnings and risk clues in the browser's forms: upload and preview (row,
column, problem), import, the village's clue list, declaring and closing, and refusals
outside one's level or area."""
from __future__ import annotations

import io

from engine.clue_models import RiskClue
from clue_support import csv_file, mixed_rows
from support import count

ROWS = mixed_rows("2025-03-01", "2025/03/02")


def upload(client, content=None, department="civil_affairs", name="民政预警.csv"):
    return client.post("/warnings", data={
        "department": department,
        "file": (io.BytesIO(content or csv_file(ROWS)), name)},
        content_type="multipart/form-data")


def test_county_previews_then_imports(client, auth, eng):
    auth.login("county1")
    page = client.get("/warnings")
    assert page.status_code == 200 and "部门筛查预警" in page.text
    response = upload(client)
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    text = preview.text
    assert "7 行" in text and "3 行无误" in text and "3 行有错误" in text
    assert "身份证号：“360799197001011230”校验位不正确" in text
    assert "预警事由：不能为空" in text
    assert "与本文件第 2 行身份证号相同" in text
    assert "360799********1013" in text and "360799197001011013" not in text
    assert count(eng, RiskClue) == 0
    done = client.post(response.headers["Location"] + "/import", follow_redirects=True)
    assert "导入风险线索 3 条" in done.text and count(eng, RiskClue) == 3
    progress = client.get(response.headers["Location"] + "/progress").get_json()
    assert progress == {"status": "done", "processed": 7, "total": 7, "percent": 100,
                        "imported": 3, "duplicates": 1, "refused": 3}
    again = client.get(upload(client).headers["Location"])
    assert "0 行无误" in again.text and "已有待核实的风险线索" in again.text


def test_unreadable_file_and_missing_department_are_shown_at_the_field(client, auth):
    auth.login("county1")
    response = upload(client, department="")
    assert response.status_code == 400 and "请选择文件来自哪个部门" in response.text
    response = upload(client, content=b"\x00\x01", name="x.xlsx")
    assert response.status_code == 400 and "文件无法读取" in response.text


def test_only_county_staff_reach_the_import(client, auth, eng):
    auth.login("village11")
    assert client.get("/warnings").status_code == 403
    assert upload(client).status_code == 403
    auth.logout()
    auth.login("auditor")
    assert client.get("/warnings").status_code == 403


def test_village_checks_its_clues(client, auth, eng):
    county = eng.find_user("county1")
    batch = eng.preview_warnings(county, "w.csv", csv_file(ROWS), "民政")
    eng.import_warnings(county, batch.id)
    auth.login("village11")
    listing = client.get("/clues")
    assert "赵大山" in listing.text and "王建国" in listing.text and "钱小梅" not in listing.text
    first, second = [c.id for c in eng.clues(eng.find_user("village11")).clues]
    page = client.get(f"/clues/{first}")
    assert "登记申报" in page.text and 'value="2025-03-01"' in page.text
    refused = client.post(f"/clues/{first}/declare", data={"discovery_date": "2025-03-01",
                                                            "green_channel": ""})
    assert refused.status_code == 400 and "必须确认" in refused.text
    assert 'value="2025-03-01"' in refused.text  # what was typed is kept
    declared = client.post(f"/clues/{first}/declare", data={
        "discovery_date": "2025-03-01", "risk_types": "01", "commitment_signed": "on",
        "late_reason": "民政部门预警数据晚于排查周期送达"})
    assert declared.status_code == 302 and "/cases/" in declared.headers["Location"]
    assert eng.clue(first, county).status == "declared"
    empty = client.post(f"/clues/{second}/close", data={"reason": " "})
    assert empty.status_code == 400 and "请填写核实情况" in empty.text
    closed = client.post(f"/clues/{second}/close", data={"reason": "已享受低保，收入稳定"},
                         follow_redirects=True)
    assert "风险线索已关闭" in closed.text
    auth.logout()
    auth.login("village12")
    assert client.get(f"/clues/{second}").status_code == 403
    assert client.post(f"/clues/{first}/close", data={"reason": "x"}).status_code == 403
