"""The sidebar every page shares: model picker and sentences A and B, mirrored in the URL."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core import config
from core.lib.i18n import Text, phrase
from core.model import loading as models
from core.render import markdown_literal
from ui.language import current
from ui.loaders import default_model, load_model
from ui.state import persistent

# Query-string names of the three values a copied link restores.
QUERY_KEYS = {"model": "model", "text_a": "a", "text_b": "b"}


@dataclass(frozen=True)
class Selection:
    """What the sidebar holds: the model name, its load result, and the sentences."""

    model_name: str
    text_a: str
    text_b: str | None
    loaded: models.LoadedModel | None
    error: str | None


def _init_state() -> None:
    """First run of a session: take model and sentences from the URL, else the defaults."""
    if "model" in st.session_state:
        return
    params = st.query_params
    st.session_state.model = params.get("model") or default_model()[0]
    st.session_state.text_a = params.get("a", config.DEFAULT_TEXT_A)
    st.session_state.text_b = params.get("b", config.DEFAULT_TEXT_B)


def _sync_query_params() -> None:
    """Mirror the selection in the URL so a copied link reopens it (a page's own parameters, such as the
    Lessons page's ?step=, stay)."""
    own = set(QUERY_KEYS.values())
    wanted = {k: v for k, v in st.query_params.items() if k not in own}
    wanted |= {QUERY_KEYS[k]: st.session_state[k] for k in QUERY_KEYS if st.session_state[k]}
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def _model_options() -> list[str]:
    options = [*config.SUGGESTED_MODELS, *models.trained_models()]
    if st.session_state.model not in options:
        options.append(st.session_state.model)
    return list(dict.fromkeys(options))


def _option_label(name: str) -> str:
    """The picker's label: hub models that are not on this machine are marked, offline or not."""
    if not models.needs_download(name):
        return name
    return f"{name} — download" if models.hub_reachable() else f"{name} — download (offline now: cannot load)"


# A sentence typed without Ctrl+Enter is applied when its box loses focus, but Streamlit's frontend can send that
# commit after a menu click made at the same moment, and the commit's rerun (for the page it was typed on) then
# replaces the click's: the page did not change (issue 20 item 4). This constant script (no user text in it) holds
# such a click on a page link until the sentences are applied, which the URL shows (?a=…&b=…, written by every run), then makes
# it again: the page changes and carries the new text. After 10 s it lets the click through whatever happened.
COMMIT_BEFORE_LEAVING = """<script>
(() => {
  if (window.__bertExplorerHoldsMenuClicks) return;
  window.__bertExplorerHoldsMenuClicks = true;
  const PARAMS = {"Sentence A": "a", "Sentence B (optional)": "b"};
  // the menu across the top, the same menu in the sidebar on a narrow screen, and st.page_link links
  // (the top menu's "more" list is stTopNavDropdownLink)
  const PAGE_LINKS = ["stTopNavLink", "stTopNavDropdownLink", "stSidebarNavLink", "stPageLink-NavLink"]
    .map((id) => `[data-testid="${id}"], [data-testid="${id}"] a`).join(", ");
  const applied = (box) => box.value === (new URLSearchParams(window.location.search).get(PARAMS[box.ariaLabel]) ?? "");
  const unapplied = () => [...document.querySelectorAll('[data-testid="stSidebar"] textarea')]
    .filter((box) => box.ariaLabel in PARAMS && !applied(box));
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element && event.target.closest("a");
    if (!link || !link.matches(PAGE_LINKS) || link.dataset.replayed || !unapplied().length) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    document.activeElement?.blur?.();  // a box still focused commits now
    const started = Date.now();
    const replay = () => {
      if (unapplied().length && Date.now() - started < 10000) return setTimeout(replay, 50);
      link.dataset.replayed = "1";
      link.click();
      delete link.dataset.replayed;
    };
    setTimeout(replay, 50);
  }, true);
})();
</script>"""


# The sidebar's own words in both languages (the menu's titles are in ui/registry.py).
WORDS = {
    "model": Text("Model", "模型"),
    "model_help": Text("A hub id (bert-base-uncased, bert-base-chinese…), a local folder, or 'bundled' for the offline "
                       "model. Hub models marked 'download' are not on this machine yet.",
                       "Hugging Face 模型 id（bert-base-uncased、bert-base-chinese…）、本地文件夹，或离线模型 'bundled'。"
                       "标有 'download' 的模型还不在本机上。"),
    "text_a": Text("Sentence A", "句子 A"),
    "text_b": Text("Sentence B (optional)", "句子 B（可选）"),
    "text_b_help": Text("Leave empty for a single sentence.", "只看一个句子时留空。"),
    "loading": Text("Loading {model}…", "正在加载 {model}…"),
    "default": Text("Default model: **{model}** — {why}.", "默认模型：**{model}**（{why}）。"),
    "device": Text("Device: **{device}** · trained heads: {heads}", "设备：**{device}** · 已训练的头：{heads}"),
    "no_heads": Text("none (encoder only)", "无（只有编码器）"),
}


def _load(name: str, language: str) -> tuple[models.LoadedModel | None, str | None]:
    try:
        with st.spinner(phrase(WORDS, "loading", language, model=markdown_literal(name))):
            return load_model(name), None
    except ValueError as err:
        return None, str(err)


def render() -> Selection:
    """Draw the sidebar, load the chosen model, and store the selection for the page."""
    _init_state()
    language = current()
    with st.sidebar:
        st.selectbox(
            phrase(WORDS, "model", language), _model_options(), accept_new_options=True, format_func=_option_label,
            help=phrase(WORDS, "model_help", language), **persistent("model"),
        )
        st.text_area(phrase(WORDS, "text_a", language), height=80, **persistent("text_a"))
        st.text_area(phrase(WORDS, "text_b", language), height=80, help=phrase(WORDS, "text_b_help", language),
                     **persistent("text_b"))
        loaded, error = _load(st.session_state.model, language)
        if error:
            st.error(markdown_literal(error))  # it names what the link or the field said: never a live link
        else:
            _describe(loaded, language)
        st.html(COMMIT_BEFORE_LEAVING, unsafe_allow_javascript=True)
    _sync_query_params()
    selection = Selection(st.session_state.model, st.session_state.text_a, st.session_state.text_b, loaded, error)
    st.session_state["selection"] = selection
    return selection


def _describe(loaded: models.LoadedModel, language: str) -> None:
    default, why = default_model()
    if loaded.name == default:
        st.caption(phrase(WORDS, "default", language, model=default, why=why))
    heads = ", ".join(loaded.capabilities.names) or phrase(WORDS, "no_heads", language)
    st.caption(phrase(WORDS, "device", language, device=loaded.device, heads=heads))
