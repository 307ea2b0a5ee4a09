"""NSP batch: a file of sentence pairs (labels optional) scored in one go with the real head, downloadable."""

import pandas as pd
import streamlit as st

from core import config
from core.nsp import batch as nsp_batch
from core.nsp import scoring as nsp
from core.pretrain import everyday
from ui import session
from ui.errors import user_errors
from ui.sections import nsp as nsp_sections

st.title("NSP batch scoring")
st.markdown(
    "Upload pairs, one per line: **TSV** `A<TAB>B[<TAB>is_next]`, **CSV** with columns `a,b[,is_next]`, or "
    "**JSONL** `{\"a\": …, \"b\": …, \"is_next\": 1}`. The optional label says whether B follows A "
    "(**1 = yes**, 0 = no — note that Hugging Face's `next_sentence_label` uses the opposite, 0 = IsNext)."
)
loaded = session.require_model()
with user_errors(stop=True):
    head = nsp.sentence_head(loaded)
upload = st.file_uploader("Pairs file", type=["tsv", "csv", "txt", "jsonl"], key="nsp_batch_file",
                          max_upload_size=config.NSP_BATCH_UPLOAD_MAX_MB,
                          help=f"Up to {config.NSP_BATCH_MAX_PAIRS:,} pairs; score more with `python -m core nsp --batch`.")
st.download_button("Sample file: 120 everyday pairs, half of them coherent (TSV)", everyday.nsp_pairs_tsv(),
                   file_name="everyday_pairs.tsv", mime="text/tab-separated-values", key="nsp_batch_sample",
                   help="The project's held-out everyday pairs: download it, then upload it here.")
if upload is None:
    st.stop()

with user_errors(stop=True):  # a bad file is named before anything else is drawn
    pairs = nsp_batch.read_upload(upload.name, upload.getvalue())

precision = nsp_sections.precision_choice("nsp_batch_precision", loaded)
bar = st.progress(0.0, text=f"Scoring {len(pairs)} pairs…")
result = None
with user_errors():
    result = nsp_batch.score_labeled_pairs(loaded, pairs, on_progress=lambda done, total: bar.progress(done / total),
                                           precision=precision)
bar.empty()  # before any st.stop(): a stopped run draws nothing more
if result is None:
    st.stop()
nsp_sections.agreement_caption(result.agreement)

table = pd.DataFrame(result.rows()).drop(columns=["model", "head"])
# The page names its output apart from the file's label (`is_next` there means "B follows A", 1/0).
table = table.rename(columns={"is_next": "P(IsNext)", "not_next": "P(NotNext)", "label": "label (B follows A)"})
table["logits"] = [[round(x, 3) for x in row] for row in table["logits"]]
cols = st.columns(4)
cols[0].metric("Pairs", len(table))
cols[1].metric("Accuracy at 0.5", "—" if result.accuracy is None else f"{result.accuracy:.1%}",
               help="Share of labelled pairs where P(IsNext) ≥ 0.5 agrees with the label.")
cols[2].metric("Separation (ROC AUC)", "—" if result.auc is None else f"{result.auc:.2f}",
               help="How well P(IsNext) ranks the labelled positives above the labelled negatives, at any "
                    "threshold: 1 = perfectly, 0.5 = chance. Needs both kinds of label.")
cols[3].metric("Truncated", int(table["truncated"].sum()), help="Pairs cut to fit the model (longer sentence first).")
st.caption(f"{head.name}: {head.index_meaning()}; P(IsNext) = softmax of the logits at index 0. "
           "The CSV download and `python -m core nsp --batch` keep the column name `is_next` for P(IsNext).")
st.dataframe(table, width="stretch")
st.download_button("Download scores (CSV)", nsp_batch.to_csv(result), file_name="nsp_scores.csv",
                   mime="text/csv", key="nsp_batch_download")
