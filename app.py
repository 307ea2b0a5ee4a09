"""BERT explorer: the Streamlit entry point. The sidebar is shared by every page; pages are listed in ui/registry.py."""

from pathlib import Path

import streamlit as st

from ui import loaders, registry, sidebar

ROOT = Path(__file__).resolve().parent

st.set_page_config(page_title="BERT explorer", page_icon="🔎", layout="wide")
loaders.recover_interrupted_saves()  # after a crash: clean up interrupted saves before any model is listed
# Navigation across the top: the sidebar belongs to the model and the sentences.
navigation = st.navigation([
    st.Page(ROOT / p.path, title=p.title, icon=p.icon, default=i == 0, url_path=p.url_path)
    for i, p in enumerate(registry.PAGES)
], position="top")
sidebar.render()
navigation.run()
