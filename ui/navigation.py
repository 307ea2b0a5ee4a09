"""The app's navigation and the one script run that draws it: app.py calls run_app() on every run.

With a `pages/` folder next to app.py, Streamlit starts in its legacy multipage mode until a script calls
st.navigation: a page whose address is a fresh server's first request runs alone, without app.py. That page
meets `in_app_run() is False`, declares the navigation (which ends the legacy mode for the server) and reruns
through app.py (ui.session.current). Only public Streamlit API is used.
"""

from __future__ import annotations

import contextvars

import streamlit as st

from core import config
from core.lib import memory
from core.lib.threads import use_threads
from ui import loaders, registry, sidebar
from ui.language import current

# True while run_app() draws the sidebar and runs the page; the run's own context, so sessions never share it.
_IN_APP_RUN: contextvars.ContextVar[bool] = contextvars.ContextVar("bert_explorer_app_run", default=False)


def declare():  # -> StreamlitPage: the page this run asked for
    """The navigation across the top, built from ui/registry.py (the sidebar belongs to the model and sentences),
    titled in the session's language."""
    language = current()
    return st.navigation([
        st.Page(registry.page_file(p.path), title=p.title_in(language), icon=p.icon, default=i == 0,
                url_path=p.url_path)
        for i, p in enumerate(registry.PAGES)
    ], position="top")


def run_app() -> None:
    """One run of the app: page config, crash recovery, the navigation, the shared sidebar, then the page."""
    memory.tune_allocator()  # large freed blocks go back to the system: the server's RSS does not creep up
    use_threads(config.ANALYSIS_THREADS)  # a script thread may start with the count a training job last set
    st.set_page_config(page_title="BERT explorer", page_icon="🔎", layout="wide")
    loaders.recover_interrupted_saves()  # after a crash: clean up interrupted saves before any model is listed
    page = declare()
    token = _IN_APP_RUN.set(True)
    try:
        sidebar.render()
        page.run()
    finally:
        _IN_APP_RUN.reset(token)


def in_app_run() -> bool:
    """Whether this script run came through app.py (so the sidebar is drawn and its selection stored)."""
    return _IN_APP_RUN.get()
