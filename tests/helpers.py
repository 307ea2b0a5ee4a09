"""What several test modules share, in one place (no test module imports another): tiny BERT checkpoints built in
memory, running a page through AppTest, Hugging Face dataset rows, and a Streamlit server driven by Chromium.

Browser tests get a Streamlit server on a free local port and Debian's headless Chromium via Playwright."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import torch
from streamlit.testing.v1 import AppTest
from transformers import BertConfig, BertTokenizerFast

from ui import registry

if TYPE_CHECKING:
    from datasets import DatasetDict

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Screenshots of every browser test land here (CI keeps them as artefacts).
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


# A vocabulary big enough to tokenize ordinary English into pieces, small enough to build in milliseconds.
WORDS = (
    "the a an of to in and is was it he she they we you i bank river money cash store milk man went buy "
    "paris capital france city new york dog cat sat on mat good bad movie great this that what where who "
    "question answer passage . , ? ! ' - un ##believ ##able play ##ing ##ed ##s"
).split()
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
LETTERS = [chr(c) for c in range(ord("a"), ord("z") + 1)]
TINY = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64, max_position_embeddings=64)


# Sentences and documents shared by the tests of each view's core, command and page.
PAIR = ("the man went to the store unbelievable playing", "he paid cash .")  # attention
PASSAGE = "the man went to the store to buy milk. he paid cash."  # QA
LONG_PASSAGE = " ".join(["the dog sat on the mat in paris, the capital city of france."] * 12)  # QA over several windows
NSP_A = "the man went to the store to buy milk"
NSP_B = "he paid cash at the store"
NSP_DOCS = (
    "The dog sat on the mat all day. Then the dog went to the river bank. The river was new and good. "
    "A cat sat on the bank of the river. The cat was a bad cat that day.\n---\n"
    "Paris is the capital of France and a big city. New York is a city that is new. "
    "What is the capital of this city is a question. The answer is in the passage here."
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))  # the start of a PNG file: an upload that is not text

# Bad input that every page and every command must answer with a message, never a traceback.
BAD_TEXTS = {
    "whitespace": "   \n\t ",
    "long": "word " * 5000,
    "emoji": "I love it 😀🎉👍 so much",
    "chinese": "我爱北京天安门，天安门上太阳升。",
    "arabic": "أحب اللغة العربية كثيرا",
    "script": "<script>alert(1)</script> <b>bold</b>",
    "special_tokens": "[CLS] typed [SEP] by hand [MASK] here [PAD]",
}

def write_tokenizer(folder: Path) -> BertTokenizerFast:
    vocab = list(dict.fromkeys(SPECIALS + WORDS + LETTERS + [f"##{c}" for c in LETTERS]))
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = BertTokenizerFast(vocab={t: i for i, t in enumerate(vocab)}, do_lower_case=True, model_max_length=64)
    tokenizer.save_pretrained(folder)
    return tokenizer


def save_tiny(folder: Path, model_class, **config_overrides) -> Path:
    """Save a randomly initialised tiny model of `model_class` with a matching tokenizer."""
    torch.manual_seed(0)
    tokenizer = write_tokenizer(folder)
    config = BertConfig(vocab_size=len(tokenizer), **{**TINY, **config_overrides})
    model_class(config).save_pretrained(folder)
    return folder


def save_as_trained_here(source: Path, name: str, task: str) -> str:
    """A tiny checkpoint saved under MODELS_HOME as if a run here had trained it for `task` (its metadata says so;
    "pretraining" for a pre-training run), so the pickers list it; returns its alias."""
    from core import config
    from core.model import checkpoints
    from core.model import loading as models

    loaded = models.load_model(str(source), device=torch.device("cpu"))
    kind = "pretraining" if task == "pretraining" else "finetune"
    checkpoints.save_atomic(loaded.model, loaded.tokenizer, config.MODELS_HOME / name,
                            {"kind": kind, "task": task, "base_model": str(source)})
    return name


APP = str(ROOT / "app.py")


def shown(markdown: str) -> str:
    """A message as the browser shows it: the Markdown escapes of ui.errors.show_error (literal text) undone."""
    return re.sub(r"\\(.)", r"\1", markdown)


class ExplorerAppTest(AppTest):
    """AppTest of app.py through a one-line launcher in a folder without `pages/`.

    Streamlit treats a main script with a `pages/` folder beside it as a legacy multipage app until
    st.navigation runs, and AppTest re-detects that before every run: a switched-to page would run alone and
    rerun through app.py, which drops a click made in that run. The launcher's folder has no `pages/`, so
    every run goes through app.py's navigation, as on a running server. Page paths stay relative to app.py.
    """

    def switch_page(self, page_path: str) -> AppTest:
        return super().switch_page(str(ROOT / page_path))


_LAUNCHER_DIR = Path(tempfile.mkdtemp(prefix="bert-explorer-apptest-"))


def app_test(default_timeout: float = 120) -> ExplorerAppTest:
    launcher = _LAUNCHER_DIR / "launch_app.py"
    if not launcher.exists():
        launcher.write_text(f"import runpy\nrunpy.run_path({APP!r}, run_name='__main__')\n", encoding="utf-8")
    return ExplorerAppTest(str(launcher), default_timeout=default_timeout)


def run_page(path: str, query: dict | None = None) -> AppTest:
    at = app_test()
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if path != registry.PAGES[0].path:
        at.switch_page(path).run()
    return at


# Hugging Face datasets rows for the fine-tune data tests (core) and the upload flow (browser).
SENTENCES = [f"sentence number {i} is {'good' if i % 2 else 'bad'}" for i in range(40)]


def glue_pairs(rows: int = 40) -> DatasetDict:
    """A GLUE/MRPC-shaped dataset: sentence1, sentence2, ClassLabel ids, and an unlabelled test split."""
    from datasets import ClassLabel, Dataset, DatasetDict, Features, Value

    features = Features({"sentence1": Value("string"), "sentence2": Value("string"),
                         "label": ClassLabel(names=["not_equivalent", "equivalent"]), "idx": Value("int32")})
    columns = {"sentence1": SENTENCES[:rows], "sentence2": SENTENCES[::-1][:rows],
               "label": [i % 2 for i in range(rows)], "idx": list(range(rows))}
    split = Dataset.from_dict(columns, features=features)
    test = Dataset.from_dict(columns | {"label": [-1] * rows}, features=features)
    return DatasetDict(train=split, validation=split.select(range(10)), test=test)


def require_chromium() -> None:
    """Skip cleanly where Chromium is absent; in CI its absence is a failure, never a vacuous pass."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: .ci/run must apt-get install chromium")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium chromium-driver)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# `python -c` in place of `python -m streamlit`: the server's process takes the ready-made task models a test
# names (config.READY_MODELS, a JSON object in argv[1]) before Streamlit starts, as monkeypatch does in AppTest.
_READY_MODELS_BOOT = ("import json, sys; from core import config; config.READY_MODELS.update(json.loads(sys.argv.pop(1))); "
                      "from streamlit.web.cli import main; sys.argv[0] = 'streamlit'; sys.exit(main())")


@contextmanager
def streamlit_server(env: dict | None = None, timeout_s: float = 90, ready_models: dict | None = None,
                     script: Path | None = None):
    """Start `streamlit run app.py` (or another `script`) on loopback; yield its base URL; stop it afterwards.
    `ready_models`: task → model name, in place of config.READY_MODELS's (e.g. tiny checkpoints' folders)."""
    port = free_port()
    launch = ["-c", _READY_MODELS_BOOT, json.dumps(ready_models)] if ready_models else ["-m", "streamlit"]
    cmd = [sys.executable, *launch, "run", str(script or ROOT / "app.py"), "--server.headless=true",
           f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"]
    # Each server saves into a folder of its own unless the test names one: a model one module trained never
    # blocks another module's run of the same name (replacing a saved model needs a confirmation).
    home = {"BERT_EXPLORER_HOME": tempfile.mkdtemp(prefix="bert-explorer-server-")}
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **home, **(env or {})}
    log = tempfile.TemporaryFile()  # a file, not a pipe: a chatty server must never block on a full pipe
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    streamlit_server.last_pid = proc.pid  # for benchmarks that read the server's memory
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(log.read().decode(errors="replace")) from None
                time.sleep(0.5)
        else:
            raise TimeoutError("streamlit did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def chromium_page(block_network: bool = False, width: int = 1400, height: int = 1000):
    """A Playwright page in Debian's headless Chromium; with block_network every non-loopback request fails."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": width, "height": height})
        if block_network:
            context.route("**/*", lambda route: route.continue_()
                          if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:"))
                          else route.abort())
        try:
            yield context.new_page()
        finally:
            browser.close()


def wait_for_app(page, timeout_ms: int = 90_000) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout_ms)
    page.wait_for_timeout(300)  # let a rerun triggered by the last action start
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout_ms)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_home_session(browser, url: str, model: str, text_a: str, text_b: str = ""):
    """A new browser session (its own context) on the home page for a model and sentences; waits for the tokens."""
    from urllib.parse import urlencode

    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    page.goto(f"{url}/?{urlencode({'model': model, 'a': text_a, 'b': text_b})}")
    wait_for_app(page)
    page.locator(".token-strip").first.wait_for(timeout=120_000)
    return page


@contextmanager
def server_with_own_home(tmp_path_factory):
    """A server whose models folder belongs to one test module: runs it trains are seen by no other module."""
    require_chromium()
    home = tmp_path_factory.mktemp("explorer-home")
    with streamlit_server(env={"BERT_EXPLORER_HOME": str(home), "OMP_NUM_THREADS": "1"}) as url:
        yield url


def start_demo_finetune(page, base: str) -> None:
    """On an open Fine-tune page: train a fresh copy of `base` on the demo set, and wait until the run shows."""
    field = page.get_by_label("Base model (a fresh copy is trained)")
    field.fill(base)
    field.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Start training").click()
    page.get_by_text("step", exact=False).first.wait_for(timeout=60_000)
