"""The tabs of the attention page (pages/attention.py): each reads its widgets, calls the core, renders.

Kept out of the page script so the page itself stays a short list of tabs; all numbers come from
core.attention.maps / views / probe (derived results cached there per model + input) and all figures from
core.attention.figures. The page runs only the open tab; the costliest extras (attention flow, head ablation)
run only when their button is pressed.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.attention import bertviz_offline
from core.attention import figures as attention_figures
from core.attention import flow as attention_flow
from core.attention import maps as attention
from core.attention import probe as attention_probe
from core.attention import views as attention_views
from core.model import forward
from core.model.layers import attention_layer_label
from core.render import markdown_literal, percent
from ui import session
from ui.errors import user_errors
from ui.on_demand import asked
from ui.state import persistent, save

# Pixel heights of the embedded bertviz views: per token row (head view), per layer row (model view).
HEAD_VIEW_ROW_PX, MODEL_VIEW_LAYER_PX = 23, 190


def head_name(head: int | None) -> str:
    return "average of all heads" if head is None else f"head {head}"


def _token_name(tokens: list[str]):
    return lambda i: f"{i}: {tokens[i]}"


def heatmap(analysis: forward.Analysis, layer: int, head: int | None, merge: bool, hide: bool, config: dict) -> None:
    amap = attention.attention_map(analysis, layer, head, merge=merge, hide_special=hide)
    st.plotly_chart(attention_figures.heatmap_figure(amap), config=config, key="attn_heatmap_chart")
    st.caption(amap.note or "token level: every row sums to 1 (softmax over the keys)")
    st.download_button("This map as CSV", lambda: attention.map_csv(amap), file_name="attention-map.csv",
                       mime="text/csv", key="attn_map_csv")


def _open_clicked_head() -> None:
    """Overview click: the clicked cell becomes the selected layer and head (runs before the rerun)."""
    points = st.session_state.attn_overview_chart.selection.points
    if points:
        st.session_state.attn_layer = int(points[0]["y"])
        st.session_state.attn_head = int(points[0]["x"])


def overview(analysis: forward.Analysis, layer: int, head: int | None, merge: bool, hide: bool, config: dict) -> None:
    key = st.selectbox("Statistic per head", list(attention.STATISTICS), format_func=lambda k: attention.STATISTICS[k][0],
                       **persistent("attn_statistic", options=list(attention.STATISTICS)))
    selection = session.current()
    stat = attention_views.head_statistic(session.require_model(), selection.text_a, selection.text_b, key)
    st.caption(f"{stat.description}. Averaged over the attending tokens. Click a cell to open that head below "
               "and in the Heatmap tab (or pick it in Layer / Head above).")
    if key == "other_sentence" and not analysis.inputs.is_pair:
        st.info("Type a sentence B in the sidebar: with one sentence there is no other sentence to attend to.")
    fig = attention_figures.overview_figure(stat, None if head is None else (layer, head))
    st.plotly_chart(fig, config=config, key="attn_overview_chart", on_select=_open_clicked_head,
                    selection_mode="points")
    if head is not None:  # the chosen head's map follows Word level and Hide [CLS]/[SEP], as in the Heatmap tab
        amap = attention.attention_map(analysis, layer, head, merge=merge, hide_special=hide)
        st.plotly_chart(attention_figures.heatmap_figure(amap), config=config, key="attn_overview_head_chart")


def bertviz_views(analysis: forward.Analysis, layer: int, head: int | None) -> None:
    selection = session.current()
    kind = st.radio("bertviz view", ["head", "model"], horizontal=True, **persistent("attn_bertviz_kind", "head"),
                    format_func=lambda k: {"head": "Head view (one layer, all heads)",
                                           "model": "Model view (every layer × head)"}[k])
    heads = (head,) if head is not None else tuple(range(analysis.num_heads))
    with st.spinner("Drawing the bertviz view…"):
        view, subset = attention_views.bertviz_html(session.require_model(), selection.text_a, selection.text_b,
                                                    kind, layer, heads)
    if subset.notice:
        st.warning(subset.notice + " (choose the layer and head above).")
    st.caption("Drawn by bertviz (Vig, 2019) with d3 and jQuery served from installed packages — no internet needed. "
               + ("Pairs: pick A→A, A→B, B→A or B→B in its 'Attention' menu. " if analysis.inputs.is_pair else "")
               + "Head view: hover a token to see where it attends; click a colour to toggle a head. bertviz's own "
               "'Layer' menu counts from 0: its layer 0 is layer 1 here.")
    seq, n_layers = len(analysis.inputs), len(subset.layers)
    height = 120 + (HEAD_VIEW_ROW_PX * seq if kind == "head" else MODEL_VIEW_LAYER_PX * n_layers)
    st.iframe(view, height=min(height, 4000))
    st.download_button(f"Download the {kind} view as a standalone offline HTML file",
                       lambda: bertviz_offline.standalone_page(view, f"bertviz {kind} view"),
                       file_name=f"bertviz-{kind}-view.html", mime="text/html", key="attn_bertviz_download")


def rollout(analysis: forward.Analysis, config: dict) -> None:
    selection, loaded = session.current(), session.require_model()
    result = attention_views.rollout(loaded, selection.text_a, selection.text_b)
    st.caption("Attention rollout (Abnar & Zuidema, 2020): each layer's head-averaged attention is mixed with the "
               "identity for the residual connection, 0.5·A + 0.5·I, rows renormalised, and multiplied through the "
               "layers. Row i then says which input tokens feed position i after that layer; rows sum to 1.")
    depths = list(range(analysis.num_layers))
    through = st.select_slider("Through layer", depths, format_func=attention_layer_label,
                               **persistent("attn_rollout_layer", depths[-1], depths))
    st.plotly_chart(attention_figures.heatmap_figure(
        attention.rollout_map(result, through), "input token (source)", "position after the layer"), config=config,
                    key="attn_rollout_chart")
    tokens = analysis.inputs.tokens
    token = st.selectbox("What does this token attend to after all layers?", range(len(tokens)),
                         format_func=_token_name(tokens), **persistent("attn_rollout_token", 0, range(len(tokens))))
    st.plotly_chart(attention_figures.rollout_sources_figure(result, token), config=config, key="attn_sources_chart")
    _flow(loaded, selection, token, config)


def _flow(loaded, selection, token: int, config: dict) -> None:
    """Attention flow for one token, on request: one max-flow per input token, capped at FLOW_MAX_TOKENS."""
    cap = attention_flow.FLOW_MAX_TOKENS
    seq = len(forward.analyze(loaded, selection.text_a, selection.text_b).inputs)
    st.caption("Attention flow (same paper): the layers as a graph whose edge capacities are the mixed attention "
               "weights; the maximum flow from this token's output node to each input token, normalised to sum 1. "
               f"One max-flow per input token, so it is offered for inputs of at most {cap} tokens.")
    if seq > cap:
        st.info(f"This input has {seq} tokens: attention flow is capped at {cap}. Rollout above covers every length.")
        return
    request = (loaded.load_id, selection.text_a, selection.text_b, token)
    if not asked(f"Compute attention flow for token {token} (at most {cap} tokens)", "attn_flow_run", request):
        return
    with st.spinner("Computing attention flow…"):
        flow = attention_views.token_flow(loaded, selection.text_a, selection.text_b, token)
    st.plotly_chart(attention_figures.flow_sources_figure(flow), config=config, key="attn_flow_chart")


def query_key(analysis: forward.Analysis, layer: int, head: int | None, config: dict) -> None:
    selection = session.current()
    tokens = analysis.inputs.tokens
    st.caption("Inside one head: the query of the attending token i is compared with every key k_j; the scaled dot "
               "product q_i·k_j/√d goes through a softmax and gives the row of the attention map. Captured with "
               "forward hooks on the model's own query/key layers.")
    token = st.selectbox("Attending token i", range(len(tokens)), format_func=_token_name(tokens),
                         **persistent("attn_qk_token", 0, range(len(tokens))))
    if head is None:
        st.info("Pick one head in 'Head' above — the average of heads has no single query and key.")
        return
    with user_errors():
        qk = attention_probe.query_key(session.require_model(), selection.text_a, selection.text_b)
        st.plotly_chart(attention_figures.query_key_figure(qk, layer, head, token), config=config, key="attn_qk_chart")


def ablation(analysis: forward.Analysis) -> None:
    selection, loaded = session.current(), session.require_model()
    st.caption("Switch heads off (their output is zeroed before the layer's output projection — what the old "
               "`head_mask` did) and compare with the intact model on the same input.")
    layers, heads = range(analysis.num_layers), range(analysis.num_heads)
    options = [(layer, h) for layer in layers for h in heads]
    with st.form("attn_ablate_form", border=False):  # two model runs per comparison: run when asked, not per pick
        chosen = st.multiselect("Heads to switch off", options, **persistent("attn_ablate_heads", [], options, in_form=True),
                                format_func=lambda lh: f"{attention_layer_label(lh[0])} · head {lh[1]}")
        whole = st.multiselect("…or every head of these layers", list(layers), format_func=attention_layer_label,
                               **persistent("attn_ablate_layers", [], list(layers), in_form=True))
        st.form_submit_button("Switch them off and compare", key="attn_ablate_run", on_click=save,
                              args=("attn_ablate_heads", "attn_ablate_layers"))
    chosen = sorted(set(chosen) | {(layer, h) for layer in whole for h in heads})
    if not chosen:
        st.info("Choose heads or layers to switch off, then press the button.")
        return
    with user_errors():
        result = attention_probe.ablate_heads(loaded, selection.text_a, selection.text_b, chosen)
        _ablation_scores(result, loaded)
        st.plotly_chart(attention_figures.ablation_figure(result), key="attn_ablation_chart")


def _ablation_scores(result: attention_probe.AblationResult, loaded) -> None:
    if result.p_is_next_intact is not None:
        left, right = st.columns(2)
        left.metric("P(B follows A), intact", f"{result.p_is_next_intact:.3f}")
        right.metric("P(B follows A), heads off", f"{result.p_is_next_ablated:.3f}",
                     delta=f"{result.p_is_next_ablated - result.p_is_next_intact:+.3f}")
    if not result.intact_predictions:
        missing = [name for name, have in (("MLM", loaded.capabilities.mlm), ("NSP", loaded.capabilities.nsp)) if not have]
        st.info(f"{markdown_literal(loaded.name)} has no trained {' or '.join(missing)} head, so only the change in the final "
                "hidden states is shown. Load a model with pre-training heads (e.g. bert-base-uncased) for more.")
        return
    rows = [{"position": a.position, "token": result.tokens[a.position], "top-1 changed": a.tokens[0] != b.tokens[0],
             "intact top-5": _top_list(a), "heads off top-5": _top_list(b)}
            for a, b in zip(result.intact_predictions, result.ablated_predictions)]
    # Short columns first, pixel widths that add up to the page's width: the last column was cut off.
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        "position": st.column_config.NumberColumn("pos.", width=50), "token": st.column_config.TextColumn(width=90),
        "top-1 changed": st.column_config.CheckboxColumn("changed", width=75,
                                                         help="the top prediction differs with the heads off"),
        "intact top-5": st.column_config.TextColumn(width=270), "heads off top-5": st.column_config.TextColumn(width=270)})


def _top_list(prediction) -> str:
    """'house 12%, town 3.1%, …': short enough for a column of the page's width."""
    return ", ".join(f"{t} {percent(p)}" for t, p in zip(prediction.tokens, prediction.probabilities))


def exports(analysis: forward.Analysis) -> None:
    st.markdown("Every chart's camera button saves it as PNG or SVG (pick the format above the tabs). "
                "The bertviz tab downloads its view as a standalone HTML file that works offline.")
    # Files are built only when a button is clicked (a callable), so long inputs do not slow every rerun.
    st.download_button("All attention weights (layers × heads × seq × seq) as NPZ",
                       lambda: attention.attentions_npz(analysis), file_name="attentions.npz",
                       mime="application/octet-stream", key="attn_npz")
    if analysis.attentions.size > attention.MAX_CSV_ROWS:
        st.info(f"{analysis.attentions.size:,} weights are too many for one CSV; use the NPZ file or the "
                "Heatmap tab's CSV of one map.")
        return
    st.download_button("All attention weights as CSV (one row per layer, head, from, to)",
                       lambda: attention.attentions_csv(analysis), file_name="attentions.csv", mime="text/csv",
                       key="attn_csv")
