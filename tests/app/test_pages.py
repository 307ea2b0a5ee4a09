"""Smoke test of every page with Streamlit's AppTest: it renders without an exception on the bundled model."""

import pytest

from tests.helpers import app_test, run_page
from ui import registry


@pytest.mark.parametrize("page", [p.path for p in registry.PAGES])
def test_every_page_renders(page):
    at = run_page(page, {"model": "bundled"})
    assert not at.exception, at.exception
    assert at.sidebar.text_area[0].value  # the shared sidebar is there on every page


def test_home_shows_model_card_and_tokens():
    at = run_page("pages/home.py", {"model": "bundled", "a": "Hello world", "b": "Second one"})
    assert any(m.label == "Encoder layers" and m.value == "6" for m in at.metric)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "[CLS]" in html and "hello" in html and "second" in html


def test_bad_model_is_a_message_not_a_traceback():
    at = run_page("pages/home.py", {"model": "/no/such/folder"})
    assert not at.exception
    assert any("is not inside a folder this server lets its users read" in e.value for e in at.error)


def test_empty_sentence_is_a_message():
    at = app_test(default_timeout=120)
    at.query_params["model"] = "bundled"
    at.run()
    at.sidebar.text_area[0].set_value("   ").run()
    assert not at.exception
    assert any("empty" in e.value for e in at.error)


def test_second_visit_to_every_page_runs_no_forward_pass():
    """Pages may run extra inputs on a first visit (e.g. sentence A alone); a second visit runs nothing."""
    from core.model import forward

    at = run_page("pages/home.py", {"model": "bundled", "a": "Cache me once", "b": "then reuse"})
    for page in registry.PAGES:
        at.switch_page(page.path).run()
        assert not at.exception, (page.path, at.exception)
    before = forward.forward_pass_count()
    for page in registry.PAGES:
        at.switch_page(page.path).run()
    assert forward.forward_pass_count() == before


def test_a_model_without_mlm_head_is_offered_local_models_that_have_one(models_home, tiny_dirs):
    """The advice names `bundled` first, never the selected model itself, and the page that can make a head."""
    import shutil

    from core.model import checkpoints

    shutil.copytree(tiny_dirs["sentence"], models_home / "ft-sentence")
    (models_home / "ft-sentence" / checkpoints.COMPLETE_MARKER).write_text('{"task": "sentence"}')
    at = run_page("pages/mlm.py", {"model": "ft-sentence"})
    assert not at.exception
    labels = [b.label for b in at.button]
    assert labels[0] == "Use bundled"
    assert "Use ft-sentence" not in labels
    assert not any("gains an" in m.value for m in at.markdown)
    assert any("Pre-train" in m.value for m in at.markdown)


def test_the_picker_marks_hub_models_that_need_a_download(monkeypatch):
    from core.model import loading as models
    from ui import sidebar

    monkeypatch.setattr(models, "in_hub_cache", lambda name: name == "bert-base-chinese")
    assert sidebar._option_label("bundled") == "bundled"
    assert sidebar._option_label("bert-base-chinese") == "bert-base-chinese"  # cached: loads offline
    assert sidebar._option_label("bert-base-uncased").startswith("bert-base-uncased — download")
    at = run_page("pages/home.py", {"model": "bundled"})
    assert not at.exception
    labels = [sidebar._option_label(o) for o in at.sidebar.selectbox[0].options]
    assert any(label.startswith("bert-large-uncased — download") for label in labels)


def test_home_draws_the_encoder_block_and_embeddings_show_the_sum_in_numbers():
    at = run_page("pages/home.py", {"model": "bundled"})
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "one encoder, stacked <b>× 6</b>" in html and "384 → 1536 → 384" in html
    at.switch_page("pages/embeddings.py").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "LayerNorm(sum)" in d.value.index)
    assert (abs(table.loc["token"] + table.loc["segment"] + table.loc["position"] - table.loc["sum"]) < 1e-4).all()
