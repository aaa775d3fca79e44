"""How the printouts are laid out: inside the page margins, a step kept with its opinion, one
weight of the Chinese font, and renders in two threads at once (web workers are threads)."""
import io

import pdfplumber
import pytest

import printouts

from print_support import approve, run_case
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
