"""Benchmark the running app: cold start to first rendered page, the first visitor's wait, server memory with 1 vs 5 sessions, and server
memory over a walk of inputs from 20 to 512 tokens.

Cold start is compared with a one-widget Streamlit app that imports the same stack (torch, transformers' BERT
classes, plotly, pandas), started
and opened the same way, after one warm-up import so that neither pays the disk cache: target ≤ 1.5×.

Starts `streamlit run app.py` on loopback with the bundled model, opens it in Debian's headless Chromium,
and reads the server's peak resident memory (VmHWM) and current resident memory (VmRSS) from /proc. Five
sessions must share one model copy: target peak(5 sessions) ≤ 1.2 × peak(1 session). The walk (issue 19)
opens six pages for inputs of 20, 64, 128, 256 and 512 tokens, then again for five other inputs of the same
lengths: target RSS after the walk ≤ 1.3 × RSS after loading the model, and no growth on the second walk
(the caches are bounded in bytes).

    python bench/bench_app.py
    python bench/bench_app.py --quick      # one session: checks the bench runs
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import config  # noqa: E402
from tests.helpers import CHROMIUM, CHROMIUM_FLAGS, open_home_session, streamlit_server, wait_for_app  # noqa: E402

SENTENCES = [
    ("The cat sat on the mat.", "It purred loudly."),
    ("Paris is the capital of France.", "It is a large city."),
    ("I deposited money at the bank.", "The bank of the river flooded."),
    ("Transformers read the whole sentence at once.", ""),
    ("She plays the violin every morning.", "Her neighbours enjoy it."),
]


WALK_PAGES = ("", "embeddings", "contextual", "attention", "mlm", "nsp")
WALK_LENGTHS = (20, 64, 128, 256, 512)
WORDS = ("the river ran past the old mill and the children watched boats drift by while their parents talked "
         "about the harvest the weather and the long winter ahead").split()


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident set size of a process in MB: current (VmRSS) or peak (VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(row for row in status.splitlines() if row.startswith(field))
    return int(line.split()[1]) / 1024


def peak_rss_mb(pid: int) -> float:
    return rss_mb(pid, "VmHWM")


def text_of(tokens: int, shift: int) -> str:
    """About `tokens` WordPiece tokens of plain words ([CLS], [SEP] and the cut at 512 included), a new text per
    shift."""
    words = [WORDS[(i * 7 + shift) % len(WORDS)] for i in range(max(1, tokens - 3))]
    return " ".join(words) + "."


def walk(browser, url: str, lengths, pages, shift: int) -> None:
    """One session through every page for every input length (a new text for each shift)."""
    from urllib.parse import urlencode

    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    for tokens in lengths:
        query = urlencode({"model": "bundled", "a": text_of(tokens, shift), "b": ""})
        for path in pages:
            page.goto(f"{url}/{path}?{query}")
            wait_for_app(page, timeout_ms=300_000)
    page.context.close()


def payloads_mb(browser, url: str, tokens: int, pages) -> dict[str, float]:
    """MB the server sends over the session's websocket to draw each page for one input of `tokens` tokens (a fresh
    session per page, the input already analysed by the walk: what a visitor downloads, not model work)."""
    from urllib.parse import urlencode

    query = urlencode({"model": "bundled", "a": text_of(tokens, 1), "b": ""})
    sizes = {}
    for path in pages:
        page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
        received = []
        page.on("websocket", lambda ws, got=received: ws.on("framereceived", lambda frame: got.append(len(frame))))
        page.goto(f"{url}/{path}?{query}")
        wait_for_app(page, timeout_ms=300_000)
        page.wait_for_timeout(1000)  # the last deltas of the run
        sizes[path or "home"] = sum(received) / 2**20
        page.context.close()
    return sizes


# The stack the app imports before it draws anything: torch, the transformers model classes, plotly, pandas.
BASELINE_APP = ("import pandas  # noqa: F401\nimport plotly.graph_objects  # noqa: F401\nimport streamlit as st\n"
                "import torch  # noqa: F401\nfrom transformers import AutoTokenizer, BertForPreTraining  # noqa: F401\n\n"
                "st.write('ready')\n")


def baseline_cold_start(browser, folder: Path) -> tuple[float, float]:
    """Seconds from starting a one-widget app with the same imports to its first rendered page, and from the server
    answering to that page."""
    script = folder / "one_widget_app.py"
    script.write_text(BASELINE_APP, encoding="utf-8")
    start = time.perf_counter()
    with streamlit_server(script=script) as url:
        answering = time.perf_counter()
        page = browser.new_context().new_page()
        page.goto(url)
        page.get_by_text("ready").wait_for(timeout=120_000)
        return time.perf_counter() - start, time.perf_counter() - answering


def main(argv: list[str] | None = None) -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one session after the first, a two-page walk of two lengths")
    args = parser.parse_args(argv)
    sessions = SENTENCES[1:2] if args.quick else SENTENCES[1:]
    lengths, pages = ((20, 64), WALK_PAGES[:2]) if args.quick else (WALK_LENGTHS, WALK_PAGES)

    subprocess.run([sys.executable, "-c", "import torch, streamlit; from transformers import BertForPreTraining"],
                   check=True)  # warm the disk cache
    with sync_playwright() as p, tempfile.TemporaryDirectory() as folder:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        baseline, baseline_visit = baseline_cold_start(browser, Path(folder))
        browser.close()
    start = time.perf_counter()
    with streamlit_server() as url, sync_playwright() as p:
        answering = time.perf_counter()
        server_pid = streamlit_server.last_pid
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        open_home_session(browser, url, "bundled", *SENTENCES[0])
        cold, visit = time.perf_counter() - start, time.perf_counter() - answering
        one, loaded_rss = peak_rss_mb(server_pid), rss_mb(server_pid)
        opened = [open_home_session(browser, url, "bundled", a, b) for a, b in sessions]
        more = peak_rss_mb(server_pid)
        walk(browser, url, lengths, pages, shift=1)
        first_walk = rss_mb(server_pid)
        walk(browser, url, lengths, pages, shift=2)
        second_walk = rss_mb(server_pid)
        walk(browser, url, lengths, pages, shift=3)  # the caches are full by now: a bounded server stops growing
        third_walk = rss_mb(server_pid)
        payloads = payloads_mb(browser, url, lengths[-1], pages)
        browser.close()
    print(f"cold start to first rendered page (server start + model load + render): {cold:.1f} s; a one-widget app "
          f"with the same imports: {baseline:.1f} s; ratio {cold / baseline:.2f}x (target <= 1.5x)")
    print(f"the first visitor's wait, from the server answering to the rendered page (ours preloads the model at "
          f"start): {visit:.1f} s; the one-widget app: {baseline_visit:.1f} s; ratio {visit / baseline_visit:.2f}x")
    print(f"server peak RSS: 1 session {one:.0f} MB, {len(opened) + 1} sessions {more:.0f} MB, "
          f"ratio {more / one:.2f}x (target <= 1.2x)")
    print(f"server RSS over the walk ({len(pages)} pages x {len(lengths)} inputs of {lengths[0]}-{lengths[-1]} tokens): "
          f"after loading {loaded_rss:.0f} MB, after the walk {first_walk:.0f} MB (ratio {first_walk / loaded_rss:.2f}x, "
          f"target <= 1.3x), after a second walk with other inputs {second_walk:.0f} MB "
          f"(growth {second_walk / first_walk:.2f}x), after a third {third_walk:.0f} MB (growth {third_walk / second_walk:.2f}x; "
          f"the result caches may hold up to {config.CACHE_TOTAL_MB} MB, so growth that stops there is the budget)")
    sizes = ", ".join(f"{name} {mb:.2f}" for name, mb in payloads.items())
    print(f"page payload at {lengths[-1]} tokens (MB over the websocket, target <= 3 MB): {sizes}")


if __name__ == "__main__":
    main()
