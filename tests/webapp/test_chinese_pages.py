"""The main pages in Chinese show no internal values: no process keys, role or level codes,
no 12-digit division codes after names, no English engine sentences, full-width punctuation
next to Chinese words; an ended case no longer counts down; the 我已办 tab says who finished
an item, not 待领取."""
import html
import re

import pytest

RAW = {
    "process key": re.compile(r"monitoring_identification"),
    "role": re.compile(r"\b(staff|lead)\b"),
    "level": re.compile(r"\b(village|township|county)\b"),
    "status word": re.compile(r"\b(rejected|approved|running|completed|cancelled)\b"),
    "division code after a name": re.compile(r"[\u4e00-\u9fff][\s(（]*\d{12}"),
    "half-width punctuation by Chinese": re.compile(
        r"[\u4e00-\u9fff][(:;,]|[(:;,][\u4e00-\u9fff]"),
    "English sentence": re.compile(r"\b[A-Za-z]+ [a-z]+ [a-z]+ [a-z]+\b"),
}


def visible_text(page: str) -> str:
    """What a reader sees: no scripts, styles, tags or attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def problems(text: str) -> dict[str, list[str]]:
    found = {}
    for name, pattern in RAW.items():
        hits = [text[max(0, m.start() - 15):m.end() + 15].strip()
                for m in pattern.finditer(text)]
        if hits:
            found[name] = hits[:3]
    return found


@pytest.fixture
def demo_cases(start, declaration, home_check, eng, user):
    """An identification case past its home check, a cancelled one, and a done item."""
    village = user("village11")
    running = start("monitoring_identification", "village11", declaration)
    done = eng.complete(running.items[0].id, village, home_check, comment="已入户")
    other = start("monitoring_identification", "village11", dict(declaration, household_id=2))
    eng.cancel(other.case.id, user("county1"), "重复申报")
    return running.case.id, running.items[0].id, done.items[0].id, other.case.id


def test_main_pages_in_chinese_show_no_internal_values(client, auth, demo_cases):
    case_id, done_item, open_item, cancelled = demo_cases
    auth.login("village11")
    pages = [f"/inbox?view={v}" for v in ("mine", "unclaimed", "overdue", "today", "done",
                                          "all")]
    pages += [f"/tasks/{open_item}", f"/tasks/{done_item}", f"/cases/{case_id}",
              f"/cases/{cancelled}", "/cases", "/households"]
    seen = {}
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        found = problems(visible_text(response.data.decode()))
        if found:
            seen[path] = found
    auth.logout()
    auth.login("admin")
    for path in ("/admin/users", f"/tasks/{open_item}", f"/cases/{case_id}"):
        found = problems(visible_text(client.get(path).data.decode()))
        if found:
            seen[path] = found
    assert seen == {}


def test_the_done_tab_names_who_finished_and_ended_cases_stop_counting(client, auth,
                                                                       demo_cases):
    case_id, done_item, _, cancelled = demo_cases
    auth.login("village11")
    done = client.get("/inbox?view=done").data.decode()
    row = re.search(rf'<tr[^>]*>\s*<td[^>]*><a href="/tasks/{done_item}">.*?</tr>', done, re.S)
    assert row and "东山村 村委会" in row.group(0) and "待领取" not in row.group(0)
    page = client.get(f"/cases/{cancelled}").data.decode()
    summary = visible_text(page.split('<section class="summary">')[1].split("</section>")[0])
    assert "已撤销" in summary and "剩余" not in summary and "逾期" not in summary, summary


def test_engine_refusals_read_in_chinese(client, auth, demo_cases, eng, user):
    case_id, _, open_item, _ = demo_cases
    auth.login("village12")
    page = visible_text(client.get(f"/tasks/{open_item}").data.decode())
    assert "不在您的辖区范围内" in page and "outside" not in page
    auth.logout()
    eng.claim(open_item, user("village11"))
    eng.add_user("village11b", "village", "360799100001", "password-1", actor=user("admin"))
    auth.login("village11b", "password-1")
    response = client.post(f"/tasks/{open_item}", data={"case_version": "2"})
    page = visible_text(response.data.decode())
    assert response.status_code == 403
    assert f"环节 #{open_item} 已由其他同事签收" in page and "claimed" not in page
    assert "不存在" in visible_text(client.get("/cases/99999").data.decode())
    client.post("/language", data={"locale": "en"})
    page = visible_text(client.get("/cases/99999").data.decode())
    assert "case 99999 does not exist" in page  # English readers get the engine's words
