"""Streamlit parts of the Findings page: computing a card with a progress bar, the paper's side, the result's side."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.findings import figures, gallery
from core.findings.result import Card
from core.model.layers import attention_layer_label
from core.model.loading import LoadedModel
from core.render import markdown_literal
from ui import charts
from ui.errors import show_error
from ui.state import persistent


def compute(loaded: LoadedModel, key: str):
    """The card's result on the model (computed once per model in the core), with a progress bar while it runs;
    None, with the message shown, when the model cannot run it (e.g. no MLM head)."""
    bar = st.progress(0.0, text=f"Measuring on {markdown_literal(loaded.name)}…")
    try:
        return gallery.finding(loaded, key, on_progress=lambda done, total: bar.progress(done / total))
    except ValueError as err:
        show_error(err)
        return None
    finally:
        bar.empty()


def paper_side(card: Card) -> None:
    """What the paper found, and the figure of the paper the measurement is set against."""
    st.subheader(card.title)
    st.caption(card.paper.citation())
    st.markdown(f"**The paper's claim.** {card.claim}\n\n**The paper's figure.** {card.figure}")


def measured_side(result, key: str) -> None:
    """The number measured here, the plot, the verdict and the CSV of every number."""
    st.markdown(f"**Measured on {markdown_literal(result.model_name)}.** {markdown_literal(result.measured)}")
    figure = _statistic_figure(result) if key == "head_stats" else FIGURES[key](result)
    charts.show(figure, lambda: gallery.finding_csv(result), f"finding-{key}")
    (st.success if result.verdict.reproduced else st.warning)(f"**Verdict:** {markdown_literal(result.verdict.text)}")
    DETAILS.get(key, lambda _: None)(result)


def _statistic_figure(result):
    labels = {key: label for key, (label, _) in result.labels.items()}
    options = list(result.values)
    key = st.selectbox("Statistic", options, format_func=labels.get,
                       **persistent("findings_statistic", options[0], options))  # kept while another card is open
    st.caption(markdown_literal(result.labels[key][1]))
    return figures.head_stats_figure(result, key)


def _clark_details(result) -> None:
    rows = [{"token": kind, "layer": attention_layer_label(h.layer), "head": h.head, "share": f"{h.share:.1%}"}
            for kind, heads in result.top_heads.items() for h in heads]
    st.markdown("Heads most specialised to the previous and the next token:")
    st.dataframe(pd.DataFrame(rows), hide_index=True)


def _michel_details(result) -> None:
    st.plotly_chart(figures.michel_importance_figure(result), key="findings_importance")


def _lama_details(result) -> None:
    with st.expander(f"Every fact ({len(result.answers)}) and the head's first guesses"):
        st.dataframe(pd.DataFrame([{"relation": a.fact.relation, "statement": a.fact.text, "answer": a.fact.answer,
                                    "rank": a.rank, "first guesses": ", ".join(a.predictions[:5])}
                                   for a in result.answers]), hide_index=True, width="stretch")


FIGURES = {"clark": figures.clark_figure, "ethayarajh": figures.ethayarajh_figure, "michel": figures.michel_figure,
           "lama": figures.lama_figure}
DETAILS = {"clark": _clark_details, "michel": _michel_details, "lama": _lama_details}
