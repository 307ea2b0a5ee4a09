"""Real browser: a learner follows a lesson step — predicts, reveals, sees it marked done, opens its page with the
inputs set — and a copied link reopens the step in Chinese."""

import pytest

from tests.helpers import chromium_page, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_predict_reveal_and_open_the_page(app_url):
    with chromium_page(block_network=True, height=1800) as page:
        page.goto(f"{app_url}/lessons?step=5.3&lang=en")
        wait_for_app(page)
        page.get_by_text("Step 5.3").wait_for(timeout=60_000)
        page.get_by_text("below 0.5", exact=True).click()
        wait_for_app(page)
        page.get_by_role("button", name="Reveal the model's answer").click()
        wait_for_app(page)
        page.get_by_text("You said below 0.5; the model says above 0.5.").wait_for(timeout=60_000)
        assert page.get_by_text("for the swapped pair").count() == 1
        assert page.get_by_role("button", name="✓ 5.3").count() == 1
        screenshot(page, "lesson-5-3")
        page.get_by_role("button", name="Open it on the Next sentence page").click()
        wait_for_app(page)
        page.get_by_text("P(IsNext), A → B").first.wait_for(timeout=60_000)
        assert "/nsp" in page.url
        assert page.locator("textarea").first.input_value() == "He paid for it with cash at the counter."


def test_a_link_reopens_the_step_in_chinese(app_url):
    with chromium_page(block_network=True, height=1400) as page:
        page.goto(f"{app_url}/lessons?step=4.2&lang=zh")
        wait_for_app(page)
        page.get_by_text("第 4.2 步").wait_for(timeout=60_000)
        page.get_by_role("button", name="揭晓模型的答案").click()
        wait_for_app(page)
        page.get_by_text("BERT 同时读两边").wait_for(timeout=60_000)
        assert "step=4.2" in page.url and "lang=zh" in page.url
        screenshot(page, "lesson-4-2-zh")
