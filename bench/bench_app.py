"""Benchmark the running app: cold start to first rendered page, and server memory with 1 vs 5 sessions.

Starts `streamlit run app.py` on loopback with the bundled model, opens it in Debian's headless Chromium,
and reads the server's peak resident memory (VmHWM) from /proc. Five sessions must share one model copy:
target peak(5 sessions) ≤ 1.2 × peak(1 session).

    python bench/bench_app.py
    python bench/bench_app.py --quick      # one session: checks the bench runs
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one session after the first (two in all)")
    args = parser.parse_args(argv)
    sessions = SENTENCES[1:2] if args.quick else SENTENCES[1:]

    start = time.perf_counter()
    with streamlit_server() as url, sync_playwright() as p:
        server_pid = streamlit_server.last_pid
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        open_home_session(browser, url, "bundled", *SENTENCES[0])
        cold = time.perf_counter() - start
        one = peak_rss_mb(server_pid)
        pages = [open_home_session(browser, url, "bundled", a, b) for a, b in sessions]
        more = peak_rss_mb(server_pid)
        browser.close()
    print(f"cold start to first rendered page (server start + model load + render): {cold:.1f} s")
    print(f"server peak RSS: 1 session {one:.0f} MB, {len(pages) + 1} sessions {more:.0f} MB, "
          f"ratio {more / one:.2f}x (target <= 1.2x)")


if __name__ == "__main__":
    main()
