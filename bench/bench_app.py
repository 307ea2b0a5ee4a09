"""Benchmark the running app: cold start to first rendered page, and server memory with 1 vs 5 sessions.

Starts `streamlit run app.py` on loopback with the bundled model, opens it in Debian's headless Chromium,
and reads the server's peak resident memory (VmHWM) from /proc. Five sessions must share one model copy:
target peak(5 sessions) ≤ 1.2 × peak(1 session).

    python bench/bench_app.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers import CHROMIUM, CHROMIUM_FLAGS, open_home_session, streamlit_server  # noqa: E402

SENTENCES = [
    ("The cat sat on the mat.", "It purred loudly."),
    ("Paris is the capital of France.", "It is a large city."),
    ("I deposited money at the bank.", "The bank of the river flooded."),
    ("Transformers read the whole sentence at once.", ""),
    ("She plays the violin every morning.", "Her neighbours enjoy it."),
]


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size (VmHWM) of a process, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(row for row in status.splitlines() if row.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def main() -> None:
    from playwright.sync_api import sync_playwright

    start = time.perf_counter()
    with streamlit_server() as url, sync_playwright() as p:
        server_pid = streamlit_server.last_pid
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        open_home_session(browser, url, "bundled", *SENTENCES[0])
        cold = time.perf_counter() - start
        one = peak_rss_mb(server_pid)
        pages = [open_home_session(browser, url, "bundled", a, b) for a, b in SENTENCES[1:]]
        five = peak_rss_mb(server_pid)
        browser.close()
    print(f"cold start to first rendered page (server start + model load + render): {cold:.1f} s")
    print(f"server peak RSS: 1 session {one:.0f} MB, 5 sessions {five:.0f} MB, "
          f"ratio {five / one:.2f}x (target <= 1.2x); {len(pages) + 1} sessions open")


if __name__ == "__main__":
    main()
