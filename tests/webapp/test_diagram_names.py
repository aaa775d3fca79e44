"""The process diagram speaks the page's language: lanes by level (村级, 乡镇级, 县级 /
Village, Township, County level), steps in English on English pages; nothing else of the
BPMN changes."""
import re
import xml.etree.ElementTree as ET

from support import ROOT

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _names(xml: str) -> dict[str, str]:
    root = ET.fromstring(xml.encode())
    return {e.get("id"): e.get("name") for e in root.iter()
            if e.tag.startswith(BPMN) and e.get("id") and e.get("name") is not None}


def _diagram(client, case_id):
    response = client.get(f"/cases/{case_id}/diagram.json")
    assert response.status_code == 200
    return response.get_json()["xml"]


def test_lanes_in_chinese_and_everything_in_english(client, auth, start, declaration):
    case = start("monitoring_identification", "village11", declaration).case
    auth.login("county1")
    chinese = _names(_diagram(client, case.id))
    assert (chinese["lane_village"], chinese["lane_township"], chinese["lane_county"]) == (
        "村级", "乡镇级", "县级")
    assert chinese["home_check"] == "入户核实"
    client.post("/language", data={"locale": "en"})
    xml = _diagram(client, case.id)
    english = _names(xml)
    assert (english["lane_village"], english["lane_county"]) == ("Village level",
                                                                "County level")
    assert english["home_check"] == "Home check"
    assert english["county_approval"] == "County approval"
    # every named element of the shipped workflow has its English name
    assert [n for n in english.values() if re.search(r"[\u4e00-\u9fff]", n)] == []
    source = (ROOT / "workflows" / "monitoring_identification.bpmn").read_text("utf-8")
    assert set(_names(source)) == set(english)          # same elements, only names differ
    assert xml.count("<") == source.count("<")
    assert 'spiffworkflow:property name="level" value="village"' in xml


def test_every_shipped_name_has_an_english_name():
    from webapp.diagram_names import LEVEL_KEYS, NAMES_EN
    for path in sorted((ROOT / "workflows").glob("*.bpmn")):
        names = set(_names(path.read_text("utf-8")).values())
        missing = {n for n in names if n not in NAMES_EN and n not in LEVEL_KEYS}
        assert missing == set(), path.name
