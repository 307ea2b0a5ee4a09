"""Streamlit helpers shared by app.py and the pages: cached loading, the sidebar, token rendering."""
