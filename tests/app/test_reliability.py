"""Bad input through every page and every CLI command: a clear message, never a traceback, and the app
keeps working for the next input."""


import pytest
from streamlit.testing.v1 import AppTest

from core.render import markdown_literal
from tests.helpers import BAD_TEXTS, app_test
from ui import registry


def run(page: str, model: str, text_a: str, text_b: str = "") -> AppTest:
    at = app_test(default_timeout=180)
    at.query_params.update({"model": model, "a": text_a, "b": text_b})
    at.run()
    if page != registry.PAGES[0].path:
        at.switch_page(page).run()
    return at


def page_text(at: AppTest) -> str:
    parts = [e.value for e in at.error] + [m.value for m in at.markdown] + [h.proto.body for h in at.get("html")]
    return " ".join(str(p) for p in parts)


@pytest.mark.parametrize("page", [p.path for p in registry.PAGES])
@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_bad_text_on_every_page(page, kind, tiny_dirs):
    at = run(page, str(tiny_dirs["pretraining"]), BAD_TEXTS[kind], BAD_TEXTS[kind][:200])
    assert not at.exception, (page, kind, at.exception)
    assert "Traceback" not in page_text(at)
    assert "<script>alert(1)</script>" not in " ".join(h.proto.body for h in at.get("html"))


@pytest.mark.parametrize("page", [p.path for p in registry.PAGES])
def test_unknown_model_and_empty_folder_on_every_page_then_recovery(page, tmp_path):
    for model, message in (("no-such-org/no-such-model", "cannot be reached"),
                           (str(tmp_path), markdown_literal("no config.json"))):  # drawn as literal Markdown
        at = run(page, model, "The cat sat.")
        assert not at.exception, (page, model, at.exception)
        assert any(message in e.value for e in at.error), (page, [e.value for e in at.error])
    at = run(page, "bundled", "The cat sat on the mat.")
    assert not at.exception and not any("cannot be reached" in e.value for e in at.error)


