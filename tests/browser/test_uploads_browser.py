"""Real browser: malformed files through every page with a file uploader (fine-tune, NSP batch, pre-train, NSP
negatives). Each bad file gets a visible error naming the file and what is wrong, never a traceback, and a good
file on the same page in the same session works afterwards. A file over Streamlit's 200 MB limit, and a 190 MB
one under it, are refused by each page's uploader (the page's own smaller limit) before a byte is sent."""

import time

import pytest

from tests.helpers import chromium_page, screenshot, server_with_own_home, wait_for_app

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))
LATIN1 = "text,label\nun café crème,positive\n".encode("latin-1")
SENTENCES = [f"The {w} sat by the river bank for a long time today." for w in
             ("man", "dog", "cat", "city", "store", "movie", "question", "answer", "passage", "money", "milk", "paris")]
DOCUMENT = " ".join(SENTENCES)
OTHER_DOCUMENT = " ".join(reversed(SENTENCES))


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    """A server of its own, with its own models folder."""
    with server_with_own_home(tmp_path_factory) as url:
        yield url


def write(folder, name: str, content: bytes | str) -> str:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def open_page(page, url: str, path: str, model: str) -> None:
    page.goto(f"{url}/?model={model}")  # a fresh server learns the navigation from its first script run
    wait_for_app(page)
    page.goto(f"{url}/{path}?model={model}")
    wait_for_app(page)


def upload(page, path: str) -> None:
    page.locator("input[type=file]").first.set_input_files(path)  # fine-tune: the training file, not validation
    wait_for_app(page)


def remove_uploads(page) -> None:
    """Click every chip's remove button (multi-file uploaders keep adding files)."""
    while (button := page.get_by_role("button", name="Remove ")).count():
        button.first.click()
        wait_for_app(page)


def expect_error(page, name: str, words: str, shot: str | None = None) -> None:
    """A visible st.error naming the file and saying `words`; no exception box or traceback anywhere."""
    alert = page.locator("[data-testid=stAlertContentError]").filter(has_text=words).first
    alert.wait_for(timeout=60_000)
    assert name in alert.inner_text()
    assert page.locator("[data-testid=stException]").count() == 0
    assert "Traceback" not in page.inner_text("body")
    if shot:
        alert.scroll_into_view_if_needed()
        screenshot(page, shot)


def expect_refused_by_uploader(page, words: str) -> None:
    """Streamlit's own refusal on the file's chip (shown on hover); the script never sees the file."""
    page.locator("[data-testid=stFileUploader] [role=alert]").filter(has_text=words).first.wait_for(
        state="attached", timeout=30_000)
    assert page.locator("[data-testid=stException]").count() == 0


def choose(page, label: str, option: str) -> None:
    page.locator("[data-testid=stSelectbox]").filter(has_text=label).first.click()
    page.get_by_role("option", name=option).click()
    wait_for_app(page)


def test_finetune_page_names_each_bad_file_then_trains_on_a_good_one(url, tiny_dirs, tmp_path):
    good = "text,label\n" + "".join(f"{s},{'positive' if i % 2 else 'negative'}\n" for i, s in enumerate(SENTENCES))
    with chromium_page(block_network=True, height=1400) as page:
        open_page(page, url, "finetune", str(tiny_dirs["encoder"]))
        page.get_by_text("Upload a file").click()
        wait_for_app(page)
        choose(page, "Task", "Extractive question answering")
        for name, content, words in (
            ("broken.json", '{"data": [{"paragraphs": [', "not valid JSON (line 1"),
            ("shape.json", '{"data": [1, 2]}', "not a SQuAD-format JSON file"),
            ("no-text.json", '{"data": [{"paragraphs": [{"context": "x", "qas": [{"question": "q", "answers": [{}]}]}]}]}',
             "no value in column 'answer'"),
            ("image.json", PNG, "looks like a PNG image"),
        ):
            upload(page, write(tmp_path, name, content))
            expect_error(page, name, words)
        choose(page, "Task", "Sentence classification")
        for name, content, words, shot in (
            ("squad.json", '{"data": []}', "a .json file is read as SQuAD", None),
            ("reviews.csv", "sentence,label\nnice film,positive\n", "missing column 'text'", None),
            ("ragged.csv", "text,label\nI loved it, really,positive\nbad,negative\n", "row 1 has 3 fields",
             "uploads-finetune-ragged-csv"),
            ("broken.jsonl", '{"text": "good", "label": "positive"}\n{"text": "bad",\n', "line 2 is not valid JSON", None),
            ("image.csv", PNG, "looks like a PNG image", None),
            ("latin1.csv", LATIN1, "is not UTF-8 text", None),
            ("empty.csv", b"", "no data rows", None),
            ("quote.csv", 'text,label\n"never closed,positive\n' + "x" * 140_000, "check for an unclosed quote", None),
        ):
            upload(page, write(tmp_path, name, content))
            expect_error(page, name, words, shot)
        upload(page, write(tmp_path, "photo.png", PNG))
        expect_refused_by_uploader(page, "files are not allowed")

        upload(page, write(tmp_path, "good.csv", good))
        page.get_by_text("11 training / 1 validation examples").wait_for(timeout=60_000)
        wait_for_app(page)  # a click during a rerun can be dropped
        page.get_by_role("button", name="Start training").click()
        page.get_by_text("finetune ft-sentence:", exact=False).wait_for(timeout=60_000)  # the run started
        try:
            page.wait_for_function("() => document.body.innerText.includes('Saved ft-sentence')", timeout=180_000)
        finally:
            screenshot(page, "uploads-finetune-trained")
        assert page.locator("[data-testid=stException]").count() == 0


def test_nsp_batch_page_names_each_bad_file_then_scores_a_good_one(url, tiny_dirs, tmp_path):
    with chromium_page(block_network=True, height=1400) as page:
        open_page(page, url, "nsp_batch", str(tiny_dirs["pretraining"]))
        for name, content, words, shot in (
            ("image.tsv", PNG, "looks like a PNG image", "uploads-nsp-batch-png"),
            ("broken.jsonl", '{"a": "the man", "b": "he paid"}\n{"a": "x"\n', "line 2: not a JSON object", None),
            ("no-b.jsonl", '{"a": "the man"}\n', 'expected {"a"', None),
            ("one-column.tsv", "just one sentence here\n", "expected sentence A and sentence B", None),
            ("label.tsv", "the man\the paid\tmaybe\n", "label 'maybe'", None),
            ("empty.txt", b"", "the file is empty", None),
            ("latin1.csv", LATIN1, "is not UTF-8 text", None),
            ("many.tsv", "the man\the paid\t1\n" * 5_001, "holds 5,001 pairs", None),
        ):
            upload(page, write(tmp_path, name, content))
            expect_error(page, name, words, shot)
        upload(page, write(tmp_path, "pairs.json", '{"a": "x", "b": "y"}'))
        expect_refused_by_uploader(page, "files are not allowed")

        upload(page, write(tmp_path, "pairs.tsv", "a\tb\tis_next\nthe man went\the paid cash\t1\nhe paid\tthe dog\t0\n"))
        page.get_by_role("button", name="Download scores (CSV)").wait_for(timeout=60_000)
        pairs = page.locator("[data-testid=stMetric]").filter(has_text="Pairs").first
        assert pairs.locator("[data-testid=stMetricValue]").inner_text() == "2"


def test_pretrain_page_names_each_bad_file_then_trains_on_good_ones(url, tmp_path):
    with chromium_page(block_network=True, height=1400) as page:
        open_page(page, url, "pretrain", "bundled")
        page.get_by_text("Upload .txt").click()
        wait_for_app(page)
        for name, content, words, shot in (
            ("image.txt", PNG, "looks like a PNG image", None),
            ("latin1.txt", LATIN1, "is not UTF-8 text", "uploads-pretrain-latin1"),
            ("empty.txt", b"  \n", "empty.txt is empty", None),
        ):
            upload(page, write(tmp_path, name, content))
            expect_error(page, name, words, shot)
            remove_uploads(page)
        # Each file is under the uploader's 20 MB per file, together they are over the page's 20 MB.
        half = (DOCUMENT + "\n") * 20_000  # 12.4 MB
        page.locator("input[type=file]").set_input_files([write(tmp_path, "a.txt", half), write(tmp_path, "b.txt", half)])
        wait_for_app(page)
        expect_error(page, "these 2 files", "together are over this page's limit of 20 MB")
        remove_uploads(page)
        page.locator("input[type=file]").set_input_files(
            [write(tmp_path, "one.txt", DOCUMENT), write(tmp_path, "two.txt", OTHER_DOCUMENT)])
        wait_for_app(page)
        page.get_by_text("2 documents → 2 for training").wait_for(timeout=60_000)
        slider = page.get_by_role("slider", name="Steps")
        slider.focus()
        slider.press("Home")  # 10 steps: seconds for the tiny model from scratch
        wait_for_app(page)
        page.get_by_role("button", name="Start pre-training").click()
        page.wait_for_function("() => document.body.innerText.includes('done at step 10')", timeout=180_000)
        assert page.locator("[data-testid=stException]").count() == 0


def test_nsp_negatives_page_names_each_bad_file_then_scores_good_ones(url, tiny_dirs, tmp_path):
    with chromium_page(block_network=True, height=2000) as page:
        open_page(page, url, "nsp_negatives", str(tiny_dirs["pretraining"]))
        page.get_by_text("Upload text files").click()
        wait_for_app(page)
        for name, content, words, shot in (
            ("image.txt", PNG, "looks like a PNG image", None),
            ("latin1.md", LATIN1, "is not UTF-8 text", None),
            ("empty.txt", b"", "empty.txt is empty", "uploads-nsp-negatives-empty"),
            ("utf16.txt", DOCUMENT.encode("utf-16"), "is UTF-16 text", None),
        ):
            upload(page, write(tmp_path, name, content))
            expect_error(page, name, words, shot)
            remove_uploads(page)
        upload(page, write(tmp_path, "table.csv", "a,b\n1,2\n"))
        expect_refused_by_uploader(page, "files are not allowed")
        remove_uploads(page)

        page.locator("input[type=file]").set_input_files(
            [write(tmp_path, "one.txt", DOCUMENT), write(tmp_path, "two.txt", OTHER_DOCUMENT)])
        wait_for_app(page)
        page.get_by_text("2 documents, 24 segments").wait_for(timeout=60_000)
        page.get_by_role("button", name="Build and score pairs").click()
        wait_for_app(page)
        page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)
        assert page.locator("[data-testid=stException]").count() == 0


GOOD_FILES = {  # page → (radio to pick, good files, what the page then shows)
    "finetune": ("Upload a file", {"good.csv": "text,label\n" + "".join(
        f"{s},{'positive' if i % 2 else 'negative'}\n" for i, s in enumerate(SENTENCES))}, "11 training / 1 validation"),
    "nsp_batch": (None, {"pairs.tsv": "the man went\the paid cash\t1\n"}, "Download scores (CSV)"),
    "pretrain": ("Upload .txt", {"one.txt": DOCUMENT, "two.txt": OTHER_DOCUMENT}, "2 documents → 2 for training"),
    "nsp_negatives": ("Upload text files", {"one.txt": DOCUMENT, "two.txt": OTHER_DOCUMENT}, "2 documents, 24 segments"),
}
PAGE_LIMITS_MB = {"finetune": 50, "nsp_batch": 5, "pretrain": 20, "nsp_negatives": 20}
SUFFIX = {"finetune": ".csv", "nsp_batch": ".tsv", "pretrain": ".txt", "nsp_negatives": ".txt"}


def sparse_file(path, size: int) -> str:
    with open(path, "wb") as out:
        out.truncate(size)  # sparse: nothing is written to disk
    return str(path)


@pytest.mark.parametrize("path", list(GOOD_FILES))
def test_big_files_are_refused_by_the_uploader_and_the_page_keeps_working(url, tiny_dirs, tmp_path, path):
    """201 MiB is over server.maxUploadSize (200 MB); 190 MB is under it but over every page's own limit. Both
    are refused in the browser within a second, before a byte is sent; then a good file on the page works."""
    radio, good, shows = GOOD_FILES[path]
    with chromium_page(block_network=True, height=1400) as page:
        open_page(page, url, path, str(tiny_dirs["pretraining"]))
        if radio:
            page.get_by_text(radio).click()
            wait_for_app(page)
        for name, size in (("over-200", 201 * 1024 * 1024), ("under-200", 190 * 10**6)):
            started = time.time()
            upload(page, sparse_file(tmp_path / f"{name}{SUFFIX[path]}", size))
            expect_refused_by_uploader(page, f"File must be {PAGE_LIMITS_MB[path]}.0MB or smaller")
            assert time.time() - started < 10
        chip = page.locator("[data-testid=stFileChipName]").first
        chip.hover()
        page.wait_for_timeout(500)  # the chip's tooltip says why
        screenshot(page, f"uploads-too-big-{path}")
        page.locator("input[type=file]").first.set_input_files([write(tmp_path, n, c) for n, c in good.items()])
        wait_for_app(page)
        page.get_by_text(shows).first.wait_for(timeout=60_000)
        assert page.locator("[data-testid=stException]").count() == 0
