"""The embedding and contextual pages through AppTest on the tiny model."""

from tests.helpers import run_page


def test_input_page_shows_parity_and_charts():
    at = run_page("pages/embeddings.py", {"model": "bundled", "a": "The bank of the river.", "b": "I paid cash."})
    assert not at.exception, at.exception
    assert any("max abs difference" in s.value for s in at.success)
    assert any("[SEP]" in h.proto.body for h in at.get("html"))


def test_contextual_page_merges_words():
    at = run_page("pages/contextual.py", {"model": "bundled", "a": "Unbelievable café", "b": "I paid cash."})
    assert not at.exception, at.exception
    at.toggle(key="ctx_merge").set_value(True).run()
    assert not at.exception, at.exception
    assert not at.error


def test_contextual_page_marks_senses_and_says_why_cls_is_blind():
    at = run_page("pages/contextual.py", {"model": "bundled", "a": "The cat sat on the mat.", "b": "It was tired."})
    assert not at.exception
    assert any("As expected" in s.value or "Not what the caption expects" in s.value
               for s in [*at.success, *at.warning])
    spec = " ".join(c.proto.spec for c in at.get("plotly_chart"))
    assert "(same sense)" in spec and "(different senses)" in spec
    assert any("[CLS] of A and [CLS] of B are practically the same vector" in i.value for i in at.info)
