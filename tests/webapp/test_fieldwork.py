"""Monthly visits and screening campaigns in the web UI: the plan, recording a visit with a
photo (and a refused one that keeps what was typed), the one-click clue, a campaign opened
by the county and screened by a village, and refusals outside one's level or area."""
from __future__ import annotations

import io

import pytest

from engine.clue_models import HouseholdVisit, RiskClue
from clue_support import id_number
from support import count

from .conftest import START

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
VISIT = {"visited_on": "2025-03-09", "visitors": "李书记 王队员", "income_change": "stable",
         "spending_change": "stable", "food_clothing": "y", "education": "y", "medical": "y",
         "housing": "y", "safe_water": "y", "aid_received": "公益岗位", "notes": ""}


@pytest.fixture
def watched(eng):
    county = eng.find_user("county1")
    return eng.add_household(county, "孙有田", id_number(1, "19600101"), "360799100001", 3,
                             "formerly_poor", 7000.0, now=START).id


def test_village_records_a_visit_with_a_photo_and_opens_a_clue(client, auth, eng, watched):
    auth.login("village11")
    plan = client.get("/visits")
    assert "每月入户走访 · 2025-03" in plan.text and "待走访 1 户" in plan.text
    assert "孙有田" in plan.text and "王建国" not in plan.text
    refused = client.post(f"/visits/new/{watched}", data={**VISIT, "visited_on": "2025-03-11",
                                                          "visitors": "李书记"},
                          content_type="multipart/form-data")
    assert refused.status_code == 400 and "走访日期不能晚于今天" in refused.text
    assert 'value="李书记"' in refused.text and count(eng, HouseholdVisit) == 0
    data = {**VISIT, "income_change": "sharp_drop", "photos": (io.BytesIO(PNG), "门前.png")}
    del data["safe_water"]
    saved = client.post(f"/visits/new/{watched}", data=data,
                        content_type="multipart/form-data")
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"])
    assert "收入大幅下降" in page.text and "饮水安全有保障出现问题" in page.text
    assert "生成风险线索" in page.text and "门前.png" in page.text
    photo_url = page.text.split('<img src="')[1].split('"')[0]
    photo = client.get(photo_url)
    assert photo.data == PNG and photo.mimetype == "image/png"
    visit_id = saved.headers["Location"].rsplit("/", 1)[1]
    opened = client.post(f"/visits/{visit_id}/clue")
    assert opened.status_code == 302 and "/clues/" in opened.headers["Location"]
    [clue] = eng.clues(eng.find_user("village11")).clues
    assert clue.source == "visit" and clue.reason.startswith("2025-03-09 入户走访发现：收入大幅下降")
    assert "已走访 1 户" in client.get("/visits").text
    auth.logout()
    auth.login("village12")
    assert client.get(photo_url).status_code == 403
    assert client.get(f"/visits/new/{watched}").status_code == 403
    auth.logout()
    auth.login("township1")
    coverage = client.get("/visits")
    assert "东山村" in coverage.text and "已走访 1 户" in coverage.text
    assert client.post(f"/visits/{visit_id}/clue").status_code == 403
    assert count(eng, RiskClue) == 1


def test_county_opens_a_campaign_and_a_village_screens(client, auth, eng, watched):
    auth.login("village11")
    assert client.post("/screening", data={"name": "x", "starts_on": "2025-03-01",
                                           "ends_on": "2025-03-31",
                                           "scope": "all"}).status_code == 403
    auth.logout()
    auth.login("county1")
    bad = client.post("/screening", data={"name": "春季排查", "starts_on": "2025-03-31",
                                          "ends_on": "2025-03-01", "scope": "all"})
    assert bad.status_code == 400 and "结束日期不能早于开始日期" in bad.text
    opened = client.post("/screening", data={"name": "春季排查", "starts_on": "2025-03-01",
                                             "ends_on": "2025-03-31", "scope": "all"})
    assert opened.status_code == 302
    coverage = client.get(opened.headers["Location"])
    assert "已排查 0 / 6 户（0%）" in coverage.text and "东山镇" in coverage.text
    auth.logout()
    auth.login("village11")
    campaign_id = opened.headers["Location"].rsplit("/", 1)[1]
    listing = client.get(f"/screening/{campaign_id}/360799100001")
    assert "孙有田" in listing.text and "有风险：生成线索" in listing.text
    url = f"/screening/{campaign_id}/360799100001/{watched}"
    empty = client.post(url, data={"finding": "risk", "note": ""})
    assert empty.status_code == 400 and "请填写发现的风险情况" in empty.text
    done = client.post(url, data={"finding": "risk", "note": "户主重病住院",
                                  "risk_types": "01"}, follow_redirects=True)
    assert "已生成风险线索" in done.text and "户主重病住院" in done.text
    assert "已排查 1 / 3 户" in client.get(f"/screening/{campaign_id}").text
    assert client.post(f"/screening/{campaign_id}/360799100002/3",
                       data={"finding": "no_risk"}).status_code == 403
