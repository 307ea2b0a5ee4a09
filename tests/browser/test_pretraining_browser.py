"""Real browser: start a tiny pre-training on the Pre-train page, watch its curves, compare the run."""

import pytest

from tests.helpers import chromium_page, require_chromium, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser


def test_run_a_tiny_pretraining_and_compare(tmp_path):
    require_chromium()
    with streamlit_server(env={"BERT_EXPLORER_HOME": str(tmp_path)}) as url, chromium_page(block_network=True) as page:
        page.goto(f"{url}/?model=bundled")
        wait_for_app(page)
        page.goto(f"{url}/pretrain?model=bundled")  # the top bar folds Pre-train under "more"
        wait_for_app(page)
        page.get_by_role("slider").first.focus()
        page.keyboard.press("Home")  # the fewest steps: 10
        wait_for_app(page)
        page.get_by_text("The two adjacent segments in swapped order", exact=False).click()
        wait_for_app(page)  # the choice renames the run (its own rerun): type the name only after it
        alias = page.get_by_label("Save as", exact=True)  # not its "Help for Save as" button
        alias.fill("browser-sop")
        alias.press("Enter")
        wait_for_app(page)
        page.get_by_role("button", name="Start pre-training").click()
        page.get_by_text("browser-sop: done", exact=False).wait_for(timeout=240_000)
        wait_for_app(page)
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)  # the loss / MLM / NSP curves
        runs = page.get_by_role("combobox", name="Runs")
        runs.click()
        runs.fill("browser-sop")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        wait_for_app(page)
        page.get_by_role("button", name="Compare").click()
        page.get_by_text("held-out pairs per negative strategy", exact=False).wait_for(timeout=240_000)
        screenshot(page, "pretrain-compare")
