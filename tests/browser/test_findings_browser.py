"""Real browser: a learner opens the Findings page, reads a card's verdict, switches cards and downloads the numbers."""

import pytest

from tests.helpers import chromium_page, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_cards_show_verdicts_and_download_csv(app_url, tiny_dirs):
    with chromium_page(block_network=True, height=2400) as page:
        page.goto(f"{app_url}/findings?model={tiny_dirs['pretraining']}")
        wait_for_app(page)
        page.get_by_text("Verdict:").first.wait_for(timeout=120_000)  # the first card (Clark) computes on open
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
        page.locator("[data-testid=stButtonGroup] button", has_text="Facts (LAMA)").click()
        wait_for_app(page)
        page.get_by_text("P@10").first.wait_for(timeout=120_000)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download finding-lama.csv").click()
        assert download.value.suggested_filename == "finding-lama.csv"
        screenshot(page, "findings-lama")
