"""Real browser: type a sentence pair, open the embedding views, see the parity check and the layer charts."""

import pytest

from tests.helpers import chromium_page, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def type_pair(page, text_a: str, text_b: str) -> None:
    for label, text in (("Sentence A", text_a), ("Sentence B (optional)", text_b)):
        box = page.get_by_role("textbox", name=label, exact=True)
        box.wait_for(timeout=90_000)  # the first run of a fresh server loads the model first
        box.fill(text)
        box.press("Control+Enter")
        wait_for_app(page)


def test_input_embeddings_parity_for_a_typed_pair(app_url):
    """Runs first on a fresh server: a copied page link must draw the sidebar too (not Streamlit's pages/ mode)."""
    with chromium_page(block_network=True, height=1600) as page:
        page.goto(f"{app_url}/embeddings?model=bundled")
        wait_for_app(page)
        type_pair(page, "The bank of the river café", "I paid cash")
        page.get_by_text("max abs difference").wait_for(timeout=60_000)
        pieces = page.locator(".word-pieces").inner_text()
        assert "café" in pieces and "cafe" in pieces and "paid" in pieces
        assert page.locator(".js-plotly-plot").count() >= 4
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Download embedding_norms.csv").click()
        lines = open(download.value.path(), encoding="utf-8").read().splitlines()
        assert lines[0].startswith("position,token,token_norm") and len(lines) == 1 + 12  # header + one row per token
        assert page.locator("[data-testid=stException]").count() == 0
        screenshot(page, "embeddings-input")


def test_contextual_view_with_merged_words(app_url):
    with chromium_page(block_network=True, height=1600) as page:
        page.goto(f"{app_url}/?model=bundled&a=Unbelievable+stories&b=I+paid+cash")
        wait_for_app(page)
        page.get_by_role("link", name="Contextual embeddings", exact=True).first.click()
        wait_for_app(page)
        page.get_by_text("Merge pieces into words").click()
        wait_for_app(page)
        # The merged word appears as typed (one point) instead of its pieces; wait out the rerun under load.
        page.wait_for_function("() => document.querySelector('.js-plotly-plot')?.textContent.includes('Unbelievable')",
                               timeout=60_000)
        assert page.get_by_text("similarity per layer").count() >= 1
        assert page.locator("[data-testid=stException]").count() == 0
        screenshot(page, "embeddings-contextual")
