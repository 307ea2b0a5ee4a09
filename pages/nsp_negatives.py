"""NSP negatives: build four kinds of pairs from documents, score them with the real head, compare the kinds."""

import pandas as pd
import streamlit as st

from core import corpus
from core.nsp import experiment as nsp_experiment
from core.nsp import figures as nsp_figures
from core.render import markdown_literal
from ui import session
from ui.errors import user_errors
from ui.sections import nsp as sections

session.current()  # draws the shared sidebar before anything on this page can stop the run
st.title("NSP negatives: why random documents make the task too easy")
st.markdown(
    "BERT's NSP negatives pair a segment with one from a **random other document** — often the topic alone "
    "gives them away. Harder negatives keep the topic: two **non-adjacent segments of the same document**, "
    "or the same two consecutive segments **swapped** (ALBERT's sentence-order idea). Build all four kinds "
    "from real documents and see how the model's head scores each."
)
documents = sections.choose_documents()
with st.form("nsp_exp_form"):
    cols = st.columns(3)
    per_kind = cols[0].slider("Pairs per kind", 5, 200, nsp_experiment.DEFAULT_PER_KIND, key="nsp_exp_per_kind")
    seed = cols[1].number_input("Sampling seed", 0, 10_000, nsp_experiment.DEFAULT_SEED, key="nsp_exp_seed")
    sop_name = cols[2].text_input("Side by side: a model with an SOP head (optional)", key="nsp_exp_sop",
                                  placeholder="empty: none (e.g. albert-base-v2)",
                                  help="Its sentence-order head scores the same pairs.")
    run = st.form_submit_button("Build and score pairs")
if not documents:
    st.stop()
if run:
    st.session_state.nsp_exp_ran = True
with user_errors(stop=True):
    pairs = nsp_experiment.build_pairs(documents, per_kind, int(seed))
st.markdown(f"{corpus.describe(documents)} → **{len(pairs)} pairs**:\n"
            + "\n".join(f"- **{k}**: {h}" for k, h in nsp_experiment.KIND_HELP.items()))
if not st.session_state.get("nsp_exp_ran"):
    st.dataframe(pd.DataFrame([p.__dict__ for p in pairs]), width="stretch", height=240)
    st.info("Press **Build and score pairs** to score them.")
    st.stop()

loaded = session.require_model()
precision = sections.precision_choice("nsp_exp_precision", loaded)
results = sections.score_experiment([loaded, sections.load_optional(sop_name)], pairs, precision)
if not results:
    st.stop()
for result in results:
    sections.agreement_caption(result.agreement)
for result in results:
    if cut := int(result.scores.truncated.sum()):
        st.warning(f"{cut} pairs were longer than {markdown_literal(result.model_name)} takes and were cut (longer sentence first).")
st.plotly_chart(nsp_figures.distribution_figure(results), key="nsp_exp_box")
st.markdown(
    "**Separation** — how well the head tells each kind of negative from the consecutive pairs, whatever the "
    "threshold: ROC AUC 1.0 puts every consecutive pair above every negative, 0.5 is chance. Accuracy at a fixed "
    "0.5 (below) can flatter a biased head: one that says NotNext to almost everything gets most negatives right."
)
st.plotly_chart(nsp_figures.separation_figure(results), key="nsp_exp_auc")
st.plotly_chart(nsp_figures.accuracy_figure(results), key="nsp_exp_accuracy")
st.dataframe(pd.DataFrame([{"model": r.model_name, "head": r.head.kind, **s.__dict__}
                           for r in results for s in r.summary]), width="stretch", hide_index=True)
st.markdown(
    "Read it: the positives should sit above 0.5 and every negative kind below. A head that only learned "
    "*topic* gets the random-document negatives right and misses the same-document and swapped ones."
)
with st.expander("Every pair and its score"):
    st.dataframe(sections.pairs_table(results), width="stretch")
