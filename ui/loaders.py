"""Models for every session of the server: loaded once per name and version, the default model decided once, and
interrupted saves recovered before any model is listed (Streamlit resources, shared by all sessions)."""

from __future__ import annotations

import streamlit as st

from core import config
from core.model import checkpoints
from core.model import loading as models


@st.cache_resource(show_spinner=False)
def recover_interrupted_saves() -> tuple[str, ...]:
    """Once per server process: put back or remove what saves killed by a crash left behind (never touching a
    save another live process is writing), so every listed model loads and no half-written folder stays."""
    try:
        return tuple(step for parent in (config.MODELS_HOME, config.HOME / "bundled")
                     for step in checkpoints.recover_leftovers(parent))
    except OSError as err:  # a read-only or vanished folder must not stop the app
        return (f"not recovered: {err}",)


@st.cache_resource(show_spinner=False)
def default_model() -> tuple[str, str]:
    """The default model and why; decided once per server process."""
    return models.choose_default_model()


def load_model(name: str) -> models.LoadedModel:
    """One shared copy of each model for every session of the server, reloaded once its files are saved anew
    (a fine-tune or pre-train run re-saving a name must not leave other sessions on the old weights).
    Folders are confined to the models folder and BERT_EXPLORER_DATA_ROOTS: whoever reaches the server types here."""
    return _load_model(name, models.saved_version(name, confined=True))


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_model(name: str, version: str) -> models.LoadedModel:
    return models.load_model(name, confined=True)
