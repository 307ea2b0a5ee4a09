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
