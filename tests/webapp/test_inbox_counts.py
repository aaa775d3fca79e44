"""The inbox tabs' counts: the done count beyond its limit reads "1000+"."""
from webapp.helpers import count_text


def test_done_past_the_limit_reads_as_more_and_other_counts_read_exactly():
    counts = {"done": 1001, "all": 7865, "mine": 0}
    assert count_text(counts, "done") == "1000+"
    assert count_text({"done": 1000}, "done") == "1000"
    assert count_text(counts, "all") == "7865"
    assert count_text(counts, "today") == "0"
