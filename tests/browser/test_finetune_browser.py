"""Real browser: start a short demo fine-tune on a tiny model, watch the progress and curves, see the result;
a malformed upload is named on the page; a validation file and a Hugging Face dataset folder are read."""

import pytest

from tests.helpers import chromium_page, screenshot, server_with_own_home, start_demo_finetune, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with server_with_own_home(tmp_path_factory) as url:
        yield url


def open_finetune(page, app_url):
    # A fresh server runs its first script as a pages/-folder (v1) app unless app.py ran first: open home once.
    page.goto(f"{app_url}/?model=bundled")
    wait_for_app(page)
    page.goto(f"{app_url}/finetune?model=bundled")
    wait_for_app(page)
    page.get_by_text("Training device").wait_for(timeout=60_000)


def test_a_demo_run_shows_progress_curves_and_the_new_model(app_url, tiny_dirs):
    with chromium_page(block_network=True) as page:
        open_finetune(page, app_url)
        start_demo_finetune(page, str(tiny_dirs["encoder"]))
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)  # the live loss curve
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        screenshot(page, "finetune-running")
        page.wait_for_function("() => document.body.innerText.includes('Before / after')", timeout=180_000)
        # The base encoder has no classifier, so only the fine-tuned copy answers in the before/after table.
        page.wait_for_function("() => document.body.innerText.includes('no trained head')", timeout=60_000)
        text = page.inner_text("body")
        assert "Saved ft-sentence" in text and "accuracy" in text
        screenshot(page, "finetune-done")
        page.get_by_role("button", name="Inspect ft-sentence in every view").click()
        wait_for_app(page)
        page.get_by_text("Model: ft-sentence").wait_for(timeout=60_000)
        assert "sentence classification: yes" in page.inner_text("body")  # the new head is a real head
        screenshot(page, "finetune-inspect")
        page.get_by_role("link", name="Fine-tune").click()  # back again: the same run is still shown
        page.wait_for_function("() => document.body.innerText.includes('Saved ft-sentence')", timeout=60_000)


def test_choosing_qa_switches_max_length_and_stride_with_the_suggestion(app_url):
    with chromium_page(block_network=True, height=1600) as page:
        open_finetune(page, app_url)
        page.locator("[data-testid=stSelectbox]").filter(has_text="Task").click()
        page.get_by_role("option", name="Extractive question answering").click()
        wait_for_app(page)
        page.get_by_text("Hyper-parameters").click()
        page.get_by_text("Freeze the encoder").wait_for(state="visible")  # the expander's last row: it is open
        page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")  # and still
        length = int(page.get_by_role("spinbutton", name="Max length (tokens)").input_value())
        stride = int(page.get_by_role("spinbutton", name="QA stride (tokens)").input_value())
        assert f"max length {length}" in page.inner_text("body")  # the field holds what the hint suggests
        assert stride < length // 2 and page.get_by_role("button", name="Start training").is_enabled()
        assert page.locator("[data-testid=stAlertContentError]").count() == 0
        screenshot(page, "finetune-qa")


def test_a_bad_upload_names_the_missing_column(app_url, tmp_path):
    bad = tmp_path / "reviews.csv"
    bad.write_text("sentence,label\nnice film,positive\n")
    with chromium_page(block_network=True) as page:
        open_finetune(page, app_url)
        page.get_by_text("Upload a file").click()
        wait_for_app(page)
        page.locator(".st-key-finetune_upload input[type=file]").set_input_files(str(bad))
        page.get_by_text("missing column 'text'", exact=False).wait_for(timeout=60_000)
        screenshot(page, "finetune-bad-upload")


def test_a_training_file_and_a_validation_file(app_url, tmp_path):
    rows = [f"{word} film,{'pos' if i % 2 else 'neg'}" for i, word in enumerate(["a nice", "a dull"] * 6)]
    (tmp_path / "train.csv").write_text("text,label\n" + "\n".join(rows) + "\n")
    (tmp_path / "dev.csv").write_text("text,label\n" + "\n".join(rows[:3]) + "\n")
    with chromium_page(block_network=True) as page:
        open_finetune(page, app_url)
        page.get_by_text("Upload a file").click()
        wait_for_app(page)
        page.locator(".st-key-finetune_upload input[type=file]").set_input_files(str(tmp_path / "train.csv"))
        page.get_by_text("11 training / 1 validation examples", exact=False).wait_for(timeout=60_000)
        page.locator(".st-key-finetune_validation input[type=file]").set_input_files(str(tmp_path / "dev.csv"))
        page.get_by_text("12 training / 3 validation examples · labels: neg, pos", exact=False).wait_for(timeout=60_000)
        screenshot(page, "finetune-validation-upload")


def test_a_hugging_face_dataset_folder(app_url, tmp_path):
    from tests.helpers import glue_pairs

    glue_pairs().save_to_disk(str(tmp_path / "mrpc"))
    with chromium_page(block_network=True) as page:
        open_finetune(page, app_url)
        page.get_by_role("combobox").nth(1).click()  # the task picker (the sidebar's model picker comes first)
        page.get_by_role("option", name="Sentence-pair classification").click()
        page.get_by_text("Hugging Face dataset").click()
        wait_for_app(page)
        page.get_by_label("Dataset", exact=True).fill(str(tmp_path / "mrpc"))
        page.get_by_label("Dataset", exact=True).press("Enter")
        page.get_by_text("40 training / 10 validation examples · labels: equivalent, not_equivalent",
                         exact=False).wait_for(timeout=60_000)
        screenshot(page, "finetune-hub-dataset")
