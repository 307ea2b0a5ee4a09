"""Five browser sessions at once: different models and inputs never leak into each other, and a training
run in one session does not block analysis in another."""

import pytest

from tests.helpers import CHROMIUM, CHROMIUM_FLAGS, open_home_session, screenshot, start_demo_finetune, wait_for_app

pytestmark = pytest.mark.browser

WORDS = ["giraffe", "volcano", "saxophone", "lighthouse", "avalanche"]


def test_five_sessions_are_isolated_and_training_does_not_block_analysis(app_url, tiny_dirs):
    from playwright.sync_api import expect, sync_playwright

    models = ["bundled", str(tiny_dirs["pretraining"]), "bundled", str(tiny_dirs["encoder"]), "bundled"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        pages = [open_home_session(browser, app_url, m, f"the {w} is here") for m, w in zip(models, WORDS)]
        for page, word, model in zip(pages, WORDS, models):
            strip = page.locator(".token-strip").first.inner_text()
            assert all(other not in strip for other in WORDS if other != word)
            # the value settles with the page's run (a session's first run can rerun once, see ui/session.py)
            expect(page.get_by_label("Sentence A")).to_have_value(f"the {word} is here", timeout=30_000)
            assert f"Model: {model}" in page.inner_text("body")

        trainer = pages[0]
        trainer.goto(f"{app_url}/finetune?model=bundled")
        wait_for_app(trainer)
        start_demo_finetune(trainer, str(tiny_dirs["encoder"]))

        other = pages[2]  # a bundled-model session (the tiny models' vocabulary lacks these words)
        box = other.get_by_label("Sentence A")
        box.fill("a brand new sentence while training runs")
        box.press("Control+Enter")
        other.wait_for_function(
            "() => document.querySelector('.token-strip').innerText.includes('brand')", timeout=30_000)
        screenshot(other, "concurrent-analysis-during-training")
        assert "brand" not in pages[4].locator(".token-strip").first.inner_text()
        browser.close()
