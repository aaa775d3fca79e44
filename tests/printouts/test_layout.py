"""How the printouts are laid out: inside the page margins, a step kept with its opinion, one
weight of the Chinese font, and renders in two threads at once (web workers are threads)."""
import io

import pdfplumber
import pytest

import printouts

from print_support import KEY, approve, cst, open_item, run_case
from support import run_together

from .conftest import BASE_URL, PRINTED_AT, pdf_pages

MM = 72 / 25.4


@pytest.fixture
def approved(eng, identification):
    return approve(eng, identification, run_case(eng, identification))


def trail(eng, case_id):
    return printouts.render_trail(eng.printout(case_id, eng.find_user("auditor"), "trail",
                                               PRINTED_AT), BASE_URL)


def test_every_line_and_box_of_a_trail_is_inside_the_margins(eng, approved):
    with pdfplumber.open(io.BytesIO(trail(eng, approved))) as pdf:
        for page in pdf.pages:
            drawn = page.rects + page.lines
            assert drawn
            # 15 mm left and right (print.css); a hair for the borders' own width
            assert min(d["x0"] for d in drawn) >= 15 * MM - 1
            assert max(d["x1"] for d in drawn) <= page.width - 15 * MM + 1
            assert max(w["x1"] for w in page.extract_words()) <= page.width - 15 * MM + 1


def test_a_steps_opinion_is_on_the_page_of_its_step(eng, approved):
    pages = pdf_pages(trail(eng, approved))
    assert len(pages) == 2
    for opinion in ("意见：补充收入证明 材料不全", "意见：同意上报", "意见：同意纳入"):
        page = next(p for p in pages if opinion in p)
        step = {"意见：补充收入证明 材料不全": "4 乡镇审核", "意见：同意上报": "7 乡镇审核",
                "意见：同意纳入": "8 县级审批"}[opinion]
        assert step in page
    assert "打印人" in pages[-1] and "审计链校验" in pages[-1]


def test_the_text_is_set_in_one_weight_of_the_chinese_font(eng, approved):
    with pdfplumber.open(io.BytesIO(trail(eng, approved))) as pdf:
        faces = {char["fontname"].split("+", 1)[-1] for page in pdf.pages
                 for char in page.chars}
    chinese = {face for face in faces if "Mono" not in face}
    assert len(chinese) == 1 and not any("Bold" in face for face in faces)


def test_a_long_opinion_is_printed_whole_on_the_approval_sheet(eng, identification):
    users = identification
    case_id = eng.start(KEY, users["village11"], {
        "household_id": 1, "channel": "self_declaration", "discovery_date": "2026-11-16",
        "risk_types": ["01"], "commitment_signed": True, "green_channel": False},
        cst(16, 9)).case.id
    eng.complete(open_item(eng, case_id, "home_check").id, users["village11"], {
        "checkers": ["王支书", "李队员"], "check_date": "2026-11-16", "income_per_head": 5000,
        "annual_household_income": 20000, "out_of_pocket_medical": 30000,
        "major_illness": True, "disability_grade": 0, "sudden_shock": False,
        "rigid_spending": 35000, "formerly_poor": False}, cst(16, 15))
    opinion = "该户户主患重大疾病长期住院治疗，自付医疗费用较高，家庭主要劳动力务工就业不稳定，" * 3
    eng.complete(open_item(eng, case_id, "village_review").id, users["village11"], {
        "decision": "approve", "meeting_date": "2026-11-17", "attendees": 25,
        "votes_for": 24, "votes_against": 1}, cst(17), comment=opinion + "同意纳入。")
    content = printouts.render_sheet([eng.printout(case_id, eng.find_user("auditor"), "sheet",
                                                   PRINTED_AT)])
    pages = pdf_pages(content)
    assert len(pages) == 1
    flat = pages[0].replace("\n", "")
    assert opinion + "同意纳入。" in flat  # a box of fixed height cut it after two lines
    assert "经办人：东山村 村委会" in flat


def gb_id(n: int) -> str:
    """A valid ID number (GB 11643 check digit) for test household ``n``."""
    body = f"36079919700101{n:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def test_a_notice_is_numbered_only_when_it_runs_to_more_than_one_page(eng, identification):
    users = identification
    first = run_case(eng, users, household_id=1, finish=False)
    village = eng.find_user("village11")
    one = pdf_pages(printouts.render_notice(eng.publicity_notice(first, village, PRINTED_AT)))
    assert len(one) == 1 and "第 1 页" not in one[0]
    for n in range(16):
        added = eng.add_household(users["county1"], f"农户{n:02d}", gb_id(n), "360799100001",
                                  3, now=PRINTED_AT)
        run_case(eng, users, household_id=added.id, finish=False)
    pages = pdf_pages(printouts.render_notice(eng.publicity_notice(first, village,
                                                                   PRINTED_AT)))
    assert len(pages) == 2
    assert [f"第 {n} 页 共 2 页" in page for n, page in enumerate(pages, 1)] == [True, True]
    assert "农户15" in pages[1] and "东山村村民委员会" in pages[1]


def test_two_threads_render_trails_at_once(eng, identification):
    first = run_case(eng, identification, household_id=1)
    second = run_case(eng, identification, household_id=2)
    views = {case: eng.printout(case, eng.find_user("auditor"), "trail", PRINTED_AT)
             for case in (first, second)}
    done = {}

    def render(case):
        done[case] = [printouts.render_trail(views[case], BASE_URL) for _ in range(2)]

    assert run_together([lambda: render(first), lambda: render(second)]) == []
    for case, name, other in ((first, "王建国", "李秀英"), (second, "李秀英", "王建国")):
        for content in done[case]:
            text = "".join(pdf_pages(content))
            assert name in text and other not in text
            assert f"{BASE_URL}/audit/verify?case={case}" in text.replace("\n", "")
