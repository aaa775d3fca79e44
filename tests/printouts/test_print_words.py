"""A printed trail speaks Chinese throughout: option codes given as numbers (残疾等级 0) and
attachment kinds come out as their words, never as the stored code."""
import printouts

from print_support import cst, run_case

from .conftest import BASE_URL, PRINTED_AT

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj "
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def test_trail_prints_option_words_and_attachment_kinds(eng, identification):
    users = identification
    case_id = run_case(eng, users, finish=False)
    eng.attach(case_id, users["village11"], "评议记录.pdf", "application/pdf", PDF, "minutes",
               cst(17, 12))
    html = printouts.trail_html(eng.printout(case_id, eng.find_user("county1"), "trail",
                                             PRINTED_AT), BASE_URL)
    assert "家庭成员最高残疾等级：无" in html
    assert "家庭成员最高残疾等级：0" not in html
    assert "<td>会议记录</td>" in html and "<td>minutes</td>" not in html
