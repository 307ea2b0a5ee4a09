"""BERT explorer: the Streamlit entry point. The sidebar is shared by every page; pages are listed in ui/registry.py.

Each session's script run executes this file as `__main__` and draws the app. `streamlit run app.py` first imports
it as a module and finds `app`, an st.App, which it serves: that App loads the default model when the server
starts (ui/preload.py), so the first visitor does not wait for it.
"""

import streamlit as st

if __name__ == "__main__":
    from ui import navigation

    navigation.run_app()
else:
    from ui import preload

    app = st.App(__file__, lifespan=preload.lifespan)
