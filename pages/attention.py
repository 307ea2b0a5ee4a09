"""Attention: every layer and head of the encoder stack — heatmaps, overview, bertviz, rollout, q·k, ablation."""

import streamlit as st

from core.attention import figures as attention_figures
from core.model import layers as layer_names
from core.render import markdown_literal
from ui import session
from ui.errors import user_errors
from ui.sections import attention as tabs

st.title("Attention")
st.markdown(
    "BERT is a **stack of Transformer encoders**, each starting with **multi-head self-attention**: every head "
    "gives each token a weight for every token of `[CLS] A [SEP] B [SEP]` (a row of the map, summing to 1), "
    "and the token's new vector mixes the others' by these weights. Pick a layer and a head — or their average."
)
loaded = session.require_model()
analysis = session.require_analysis()
st.caption(f"{markdown_literal(loaded.name)}: {analysis.num_layers} layers × {analysis.num_heads} heads, "
           f"{len(analysis.inputs)} tokens — every weight below comes from the one cached forward pass. "
           + layer_names.CONVENTION)

if st.session_state.get("attn_layer", 0) >= analysis.num_layers:  # a smaller model was picked
    st.session_state.attn_layer = 0
if (st.session_state.get("attn_head") or 0) >= analysis.num_heads:
    st.session_state.attn_head = None

cols = st.columns([1, 1.4, 1, 1, 1])
layer = cols[0].selectbox("Layer", range(analysis.num_layers), key="attn_layer",
                          format_func=layer_names.attention_layer_label)
head = cols[1].selectbox("Head", [None, *range(analysis.num_heads)], key="attn_head", format_func=tabs.head_name)
merge = cols[2].toggle("Word level", key="attn_merge",
                       help="Word level: attention summed over the attended word's pieces, averaged over the "
                            "attending word's pieces, so rows still sum to 1.")
hide = cols[3].toggle("Hide [CLS]/[SEP]", key="attn_hide_special",
                      help="Many heads park attention on [CLS]/[SEP]; hide them to see the rest (rows not renormalised).")
image_format = cols[4].radio("Chart downloads", ["png", "svg"], horizontal=True, key="attn_image_format")
config = attention_figures.download_config(image_format)

# Only the open tab runs (st.tabs with a key and on_change="rerun", as on the Masked words page): at 512 tokens
# building every tab took 9–11 s per interaction, the open one alone about 1 s.
TABS = {
    "Heatmap": lambda: tabs.heatmap(analysis, layer, head, merge, hide, config),
    "Layers × heads": lambda: tabs.overview(analysis, layer, head, merge, hide, config),
    "bertviz": lambda: tabs.bertviz_views(analysis, layer, head),
    "Rollout": lambda: tabs.rollout(analysis, config),
    "Query · key": lambda: tabs.query_key(analysis, layer, head, config),
    "Head ablation": lambda: tabs.ablation(analysis),
    "Export": lambda: tabs.exports(analysis),
}
for draw, tab in zip(TABS.values(), st.tabs(list(TABS), key="attn_tab", on_change="rerun")):
    if tab.open is False:
        continue
    with tab, user_errors():
        draw()
