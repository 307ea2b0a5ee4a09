"""Widget values that outlive the runs that do not draw their widget: the sidebar across pages, a tab's own
widgets while another tab is open.

Streamlit forgets a widget's value at the end of every run that does not draw it, and the Attention and Masked
words pages draw only the open tab. So a widget gets its own key (`_w_<key>`), and its value lives under the
persistent `<key>`: copied into the widget before it is drawn, and back when the user changes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

WIDGET_PREFIX = "_w_"


def widget_key(key: str) -> str:
    """The key of the widget whose value `persistent(key)` keeps (what AppTest and callbacks address)."""
    return WIDGET_PREFIX + key


def persistent(key: str, default: Any = None, options: Sequence | None = None, *, in_form: bool = False,
               follow_default: bool = False) -> dict:
    """Widget arguments that keep the widget's value under `key` in session state across runs and pages.

    Give the widget no value/index/default of its own (the default goes here: Streamlit refuses both). With
    `options`, a kept value that is no longer offered (a shorter input, another model) falls back to `default`;
    a kept list keeps the items still offered. With `follow_default`, only the user's own choice is kept: until
    they change the widget it shows whatever `default` is on this run (a default that depends on other choices).
    In a form, widgets take no callback: give the submit button `on_click=save, args=(key, …)`.
    """
    value = _still_offered(st.session_state.get(key, default), options, default)
    if not follow_default:
        st.session_state[key] = value
    if value is not None:  # None: the widget shows its own first option / empty state
        st.session_state[widget_key(key)] = value
    return {"key": widget_key(key)} if in_form else {"key": widget_key(key), "on_change": save, "args": (key,)}


def save(*keys: str) -> None:
    """Copy the widgets' values to their persistent keys (an on_change / on_click callback)."""
    for key in keys:
        st.session_state[key] = st.session_state.get(widget_key(key))


def _still_offered(value: Any, options: Sequence | None, default: Any) -> Any:
    if options is None or value is None:
        return value
    offered = list(options)
    if isinstance(value, list):
        return [v for v in value if v in offered]
    return value if value in offered else default
