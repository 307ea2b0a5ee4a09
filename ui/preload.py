"""Work the server does when it starts, so its first visitor does not wait for it: crash recovery, the default
model, and the analysis of the example sentences the Home page opens with (all in the caches every session
shares). app.py hands `lifespan` to st.App; `streamlit run app.py` serves that App.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import asynccontextmanager

from core import config
from core.lib import memory

_LOG = logging.getLogger("bert_explorer")


def warm_up() -> str:
    """Recover interrupted saves, load the default model and analyse the example pair; a line saying what was
    done (a model that fails to load is reported to the first visitor as before, not here)."""
    from core.model import forward
    from ui import loaders

    started = time.perf_counter()
    memory.tune_allocator()  # before the model's allocations, as every app run does
    loaders.recover_interrupted_saves()
    name = loaders.default_model()[0]
    try:
        forward.analyze(loaders.load_model(name), config.DEFAULT_TEXT_A, config.DEFAULT_TEXT_B)
    except ValueError as err:
        return f"preload: {name!r} not loaded ({err})"
    return f"preload: {name!r} loaded and the example pair analysed in {time.perf_counter() - started:.1f} s"


@asynccontextmanager
async def lifespan(_app):
    """st.App's start-up hook: warm_up() before the server takes its first session (BERT_EXPLORER_PRELOAD=0:
    skip it)."""
    if config.PRELOAD:
        _LOG.warning(_in_own_thread(warm_up))  # Streamlit shows warnings and above by default
    yield


def _in_own_thread(work):
    """work() in a thread that ends with it. PyTorch work in the server's event-loop thread left that thread with a
    team of CPU threads of its own: measured, the Pre-train lesson in a browser then took 361 s against 246 s."""
    done = []
    thread = threading.Thread(target=lambda: done.append(work()), name="preload")
    thread.start()
    thread.join()
    return done[0] if done else "preload: failed (see the log above)"
