"""Next sentence: P(IsNext) of the sidebar's pair from the real NSP head, both orders, and what [CLS] reads."""

import streamlit as st

from core import config
from core.nsp import figures as nsp_figures
from core.nsp import scoring as nsp
from core.render import markdown_literal
from ui import registry, session
from ui.errors import user_errors

st.title("Next-sentence prediction")
st.markdown(
    "BERT's second pre-training task: the `[CLS]` position feeds a two-way classifier that says whether "
    "sentence **B** is the sentence that followed **A** in the corpus. Positives were consecutive segments; "
    "negatives paired a segment with one from a *different document* at random."
)
loaded = session.require_model()


def _pair_builder_works_without_a_head(_err: ValueError) -> None:
    st.info("The pair builder of the **NSP negatives** page works without a head; its scores need one.")
    st.page_link(registry.page_file("pages/nsp_negatives.py"), label="NSP negatives: the experiment", icon=":material/science:")


with user_errors(stop=True, advise=_pair_builder_works_without_a_head):
    head = nsp.sentence_head(loaded)

selection = session.current()
with user_errors(stop=True):
    comparison = nsp.score_both_orders(loaded, selection.text_a, selection.text_b)
score = comparison.original
if score.truncation:
    st.warning(score.truncation)


def swap_sentences() -> None:
    """Swap the sidebar's sentences (a callback runs before the widgets are drawn again)."""
    state = st.session_state
    state.text_a, state.text_b = state.text_b, state.text_a


label = "P(IsNext)" if head.kind == "nsp" else "P(in order)"
cols = st.columns([1, 1, 1])
cols[0].metric(f"{label}, A → B", f"{score.is_next:.3f}")
cols[1].metric(f"{label}, B → A (swapped)", f"{comparison.swapped_is_next:.3f}",
               delta=f"{comparison.swapped_is_next - score.is_next:+.3f}")
cols[2].button("⇄ Swap A and B", key="nsp_swap", on_click=swap_sentences,
               help="Puts sentence B first in the sidebar; every view then reads the swapped pair.")
st.markdown(nsp.verdict(head, score.is_next).sentence)

st.markdown(
    f"The {head.name} head outputs two logits for A → B: **{score.logits[0]:.3f}** and "
    f"**{score.logits[1]:.3f}**. Their order is fixed by pre-training: **{head.index_meaning()}**. "
    f"Softmax turns them into {label} = **{score.is_next:.3f}** and the opposite = "
    f"**{score.not_next:.3f}** (they sum to 1)."
)
st.plotly_chart(nsp_figures.probability_figure(comparison), key="nsp_probs")

st.subheader("Two candidates for sentence B")
other_b = st.text_input("Another candidate for sentence B", config.DEFAULT_OTHER_B, key="nsp_other_b",
                        help="Scored against the same sentence A; the head's preferred next sentence wins.")
with user_errors():  # the batched pair scorer (encoder + NSP head only, cached per pair): no second full analysis
    other_is_next = float(nsp.score_pairs(loaded, [(selection.text_a, other_b)]).is_next[0])
    candidates = [("sentence B (sidebar)", selection.text_b, score.is_next), ("the other candidate", other_b, other_is_next)]
    for col, (name, text, is_next) in zip(st.columns(2), candidates):
        with col.container(border=True):
            st.caption(name)
            st.markdown(f"“{markdown_literal(text)}”")
            st.metric(f"{label}, A → this B", f"{is_next:.3f}")
            st.markdown(nsp.verdict(head, is_next).sentence)
    better = "sentence B" if score.is_next >= other_is_next else "the other candidate"
    st.markdown(f"The head prefers **{better}** as what comes after A ({label} "
                f"{max(score.is_next, other_is_next):.3f} vs {min(score.is_next, other_is_next):.3f}).")
st.page_link(registry.page_file("pages/nsp_negatives.py"), label="Which kinds of wrong B fool the head? The NSP negatives experiment",
             icon=":material/science:")

st.subheader("What [CLS] attends to in the last layer")
st.caption(
    "The head reads only the last layer's `[CLS]` vector (through the pooler). Each row is one attention "
    "head's `[CLS]` row over the input tokens; the top row is their mean."
)
st.plotly_chart(nsp_figures.cls_attention_figure(score), key="nsp_cls_attention")
