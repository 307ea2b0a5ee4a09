"""BERT explorer: the Streamlit entry point. The sidebar is shared by every page; pages are listed in ui/registry.py."""

from ui import navigation

navigation.run_app()
