"""Real browser on the MLM page: click a token to mask it, type [mask]s, open the logit lens and joint-fill tabs."""

import urllib.parse

import pytest

from tests.helpers import chromium_page, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def open_mlm_page(page, app_url: str, model: str, text_a: str) -> None:
    # Open the home page first: on a fresh server Streamlit runs a deep-linked file of pages/ on its own
    # (its legacy pages-folder mode) until app.py has called st.navigation once.
    page.goto(app_url)
    wait_for_app(page)
    page.goto(f"{app_url}/mlm?{urllib.parse.urlencode({'model': model, 'a': text_a})}")
    wait_for_app(page)
    page.get_by_text("Masked words (MLM)").first.wait_for(timeout=60_000)


def charts(page) -> int:
    return page.locator(".js-plotly-plot").count()


def test_click_a_token_to_mask_it_then_type_masks(app_url, tiny_dirs):
    with chromium_page(block_network=True) as page:
        open_mlm_page(page, app_url, str(tiny_dirs["pretraining"]), "the man went to the store .")
        page.get_by_text("No [MASK] token in the text").first.wait_for(timeout=60_000)
        assert charts(page) == 0
        page.get_by_role("button", name="store", exact=True).click()
        wait_for_app(page)
        page.get_by_text("was “store”").first.wait_for(timeout=60_000)
        assert charts(page) == 1
        screenshot(page, "mlm-clicked-token")

        box = page.get_by_label("Sentence A")
        box.fill("new [mask] [MASK] is a city .")
        box.press("Control+Enter")
        wait_for_app(page)
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=60_000)
        assert charts(page) == 2  # the click on "store" does not slide onto a word of the new text
        assert "[MASK]" in page.locator(".mlm-input").first.inner_text()
        screenshot(page, "mlm-typed-masks")

        page.get_by_role("tab", name="Per layer (logit lens)").click()
        wait_for_app(page)
        page.get_by_text("MLM head applied after every layer").first.wait_for(timeout=60_000)
        screenshot(page, "mlm-logit-lens")

        page.get_by_role("tab", name="Several masks: independent vs joint").click()
        wait_for_app(page)
        page.get_by_text("combinations scored").first.wait_for(timeout=60_000)
        screenshot(page, "mlm-joint-fill")


def test_model_without_mlm_head_says_so_and_offers_others(app_url, tiny_dirs):
    with chromium_page(block_network=True) as page:
        open_mlm_page(page, app_url, str(tiny_dirs["encoder"]), "the [MASK] sat")
        page.get_by_text("no trained masked-word prediction (MLM) head").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="Use bert-base-uncased").wait_for(timeout=30_000)
        assert page.get_by_role("button", name="Use bert-base-uncased").count() == 1
        assert charts(page) == 0
        screenshot(page, "mlm-no-head")
