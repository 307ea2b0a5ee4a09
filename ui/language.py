"""The one language switch of the pages that read in English or Simplified Chinese (Lessons, Findings).

The language lives in the URL (?lang=zh), so a copied link reopens it, and in the session, so it carries from
one page to the other (a page switch starts the next page without the last one's query string). The menu and
the sidebar follow it on every page (current()).
"""

from __future__ import annotations

import streamlit as st

from core.lib.i18n import LANGUAGES
from ui.state import widget_key

LANGUAGE = "language"  # session state: the chosen language; its switch is widget_key(LANGUAGE)
DEFAULT = "en"


def current() -> str:
    """The session's language without drawing anything: ?lang= when it names one, else the last one chosen."""
    asked = st.query_params.get("lang")
    return asked if asked in LANGUAGES else st.session_state.get(LANGUAGE, DEFAULT)


def language_switch() -> str:
    """Draw the switch, synced with ?lang=, and return the page's language ("en" or "zh")."""
    language = current()
    st.session_state[LANGUAGE] = st.session_state[widget_key(LANGUAGE)] = language
    st.query_params["lang"] = language
    st.segmented_control("Language / 语言", list(LANGUAGES), format_func=LANGUAGES.get, required=True,
                         key=widget_key(LANGUAGE), on_change=_switched)
    return language


def _switched() -> None:
    """The user chose a language (a callback): it goes into the session and the URL before the next run."""
    st.session_state[LANGUAGE] = st.query_params["lang"] = st.session_state[widget_key(LANGUAGE)]
