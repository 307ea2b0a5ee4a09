"""Input embeddings: Token + Segment + Position, their LayerNorm'ed sum, segment vectors, learned positions."""

from functools import partial

import pandas as pd
import streamlit as st

from core.embeddings import figures, tables
from core.embeddings import input_embedding as embeddings
from core.render import markdown_literal
from ui import charts, session
from ui.errors import user_errors

st.title("Input embeddings")
st.markdown(
    "BERT reads `[CLS] A [SEP] B [SEP]` and gives every token **Token + Segment + Position** embedding, "
    "then a LayerNorm. Segment: one vector for every token of A, another for B. Position: *learned* rows, "
    "unlike the sine/cosine encoding of the original Transformer."
)
loaded = session.require_model()
analysis = session.require_analysis()
encoded = analysis.inputs

st.subheader("The tokenized input")
st.html(figures.word_pieces_html(encoded))
st.dataframe(pd.DataFrame({
    "token": encoded.tokens, "id": encoded.input_ids, "segment": encoded.token_type_ids,
    "position": range(len(encoded)), "special": encoded.special_mask,
}).set_index("position"), width="stretch", height=220)

st.subheader("Token + Segment + Position → LayerNorm")
result = embeddings.embedding_sum(loaded, analysis)
index = st.selectbox("Token", range(len(encoded)), key="emb_token",
                     format_func=lambda i: f"{i}: {encoded.tokens[i]}", index=min(1, len(encoded) - 1))
charts.show(figures.sum_figure(result, index), partial(tables.sum_table, result), "embedding_sum")
rows = result.sum_rows(index)
st.caption(f"The first {len(rows['sum'])} of {result.summed.shape[1]} numbers of “{markdown_literal(encoded.tokens[index])}”: each "
           "column of *sum* is token + segment + position; LayerNorm then rescales the whole vector.")
st.dataframe(pd.DataFrame(rows, index=[f"dim {d}" for d in range(len(rows["sum"]))]).T.style.format("{:+.4f}"),
             width="stretch")
check = (st.success if result.matches else st.error)
check(f"Parity check: LayerNorm(token + segment + position) with the model's own LayerNorm (eval mode, dropout off) "
      f"vs the model's embedding output — max abs difference **{result.max_abs_diff:.2e}** over "
      f"{result.normalized.size:,} numbers.")
charts.show(figures.norms_figure(result), partial(tables.norms_table, result), "embedding_norms")

st.subheader("Segment embeddings")
with user_errors(show=st.info):
    segments = embeddings.segment_vectors(loaded, analysis)
    st.markdown(f"Every token of a segment gets the same row: largest difference within a segment "
                f"**{segments.max_spread:.1e}**.")
    charts.show(figures.segment_figure(segments, encoded.tokens), partial(tables.segment_table, segments),
                "segment_vectors")

st.subheader("Position embeddings: learned vs sine/cosine")
limit = loaded.config.max_position_embeddings
count = st.slider("Positions shown", 8, min(512, limit), min(embeddings.DEFAULT_POSITIONS, limit), key="emb_positions")
with user_errors(stop=True):
    positions = embeddings.position_comparison(loaded, count)
st.caption("Sine/cosine similarity depends only on the distance |i − j| (the same stripes everywhere); "
           "the learned table has whatever structure pre-training gave it.")
charts.show(figures.position_figure(positions), partial(tables.position_table, positions), "position_similarity")
charts.show(figures.position_values_figure(positions), partial(tables.position_vectors_table, positions),
            "position_vectors")
