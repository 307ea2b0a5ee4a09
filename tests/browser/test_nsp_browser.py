"""Real browser: score a pair, swap it with one click, run the negatives experiment, upload a pairs file."""

from urllib.parse import urlencode

import pytest

from tests.helpers import chromium_page, require_chromium, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser

A = "the man went to the store"
B = "he paid cash"


@pytest.fixture(scope="module")
def app_url():
    require_chromium()
    with streamlit_server() as url:
        yield url


def open_page(page, app_url: str, path: str, **query) -> None:
    """Open the app's home first (so the navigation is known), then the page with its query string."""
    page.goto(f"{app_url}/?{urlencode(query)}")
    wait_for_app(page)
    page.goto(f"{app_url}/{path}?{urlencode(query)}")
    wait_for_app(page)


def metric_value(page, label: str) -> str:
    metric = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return metric.locator("[data-testid=stMetricValue]").inner_text()


def test_pair_score_and_one_click_swap(app_url, tiny_dirs):
    with chromium_page(block_network=True, height=1400) as page:
        open_page(page, app_url, "nsp", model=str(tiny_dirs["pretraining"]), a=A, b=B)
        page.get_by_text("P(IsNext), A → B").wait_for(timeout=60_000)
        assert page.get_by_text("index 0 = IsNext (B follows A)").count() >= 1
        forward, backward = metric_value(page, "A → B"), metric_value(page, "B → A")
        page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)  # probabilities and [CLS] attention
        screenshot(page, "nsp-pair")
        page.get_by_role("button", name="Swap A and B").click()
        wait_for_app(page)
        page.wait_for_function(f"() => document.querySelector('textarea').value === {B!r}")
        assert [t.input_value() for t in page.locator("textarea").all()][:2] == [B, A]
        assert "a=he+paid+cash" in page.url
        assert (metric_value(page, "A → B"), metric_value(page, "B → A")) == (backward, forward)


def test_page_says_when_the_model_has_no_nsp_head(app_url, tiny_dirs):
    with chromium_page(block_network=True) as page:
        open_page(page, app_url, "nsp", model=str(tiny_dirs["encoder"]), a=A, b=B)
        alert = page.locator("[data-testid=stAlert]").filter(has_text="no trained next-sentence").first
        alert.wait_for(timeout=60_000)
        assert "bert-base-uncased" in alert.inner_text()
        screenshot(page, "nsp-no-head")


def test_negatives_experiment_on_python_reference_topics(app_url, tiny_dirs):
    with chromium_page(block_network=True, height=2600) as page:
        open_page(page, app_url, "nsp_negatives", model=str(tiny_dirs["pretraining"]))
        page.get_by_role("button", name="Build and score pairs").click()
        wait_for_app(page)
        page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)
        assert page.get_by_text("same document, non-adjacent").count() >= 1
        assert page.locator("[data-testid=stException]").count() == 0
        screenshot(page, "nsp-negatives")


def test_batch_file_upload_scores_and_offers_download(app_url, tiny_dirs, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(f"a\tb\tis_next\n{A}\t{B}\t1\n{B}\t{A}\t0\n", encoding="utf-8")
    with chromium_page(block_network=True, height=1400) as page:
        open_page(page, app_url, "nsp_batch", model=str(tiny_dirs["pretraining"]))
        page.locator("input[type=file]").set_input_files(str(pairs))
        wait_for_app(page)
        page.get_by_role("button", name="Download scores (CSV)").wait_for(timeout=60_000)
        assert metric_value(page, "Pairs") == "2"
        assert metric_value(page, "Accuracy at 0.5").endswith("%")
        assert metric_value(page, "Separation (ROC AUC)") in ("0.00", "0.50", "1.00")  # one pair of each label
        assert page.get_by_role("button", name="Sample file: 120 everyday pairs, half of them coherent (TSV)").count() == 1
        screenshot(page, "nsp-batch")
