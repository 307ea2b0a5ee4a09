"""Contextual embeddings: tokens through the layers (PCA), similarities, word senses, sentence vectors."""

from functools import partial

import streamlit as st

from core.embeddings import contextual, figures, tables
from core.model import layers as layer_names
from ui import charts, session
from ui.errors import user_errors

st.title("Contextual embeddings")
st.markdown("The encoder stack turns the input **embeddings** into **contextual** embeddings, one layer at a time.")
st.caption(layer_names.CONVENTION)
loaded = session.require_model()
analysis = session.require_analysis()

left, mid, right = st.columns(3)
depths = list(range(analysis.num_layers + 1))  # hidden states: 0 = embeddings, k = layer k
if st.session_state.get("ctx_layer") not in (None, *depths):  # a model with fewer layers was picked
    del st.session_state["ctx_layer"]
layer = left.select_slider("Layer", depths, depths[-1], key="ctx_layer", format_func=layer_names.layer_label)
dims = mid.segmented_control("Projection", [2, 3], default=2, key="ctx_dims", format_func=lambda d: f"{d}-D")
merge = right.toggle("Merge pieces into words", key="ctx_merge")
special = right.toggle("Include [CLS]/[SEP]", value=True, key="ctx_special")
with user_errors(stop=True):
    chosen = contextual.units(analysis, merge_words=merge, include_special=special)
    projection = contextual.project(chosen, layer, dims or 2)

charts.show(figures.projection_figure(projection), partial(tables.projection_table, projection), "projection")
matrix = contextual.similarity(chosen, layer)
charts.show(figures.similarity_figure(chosen.labels, matrix, layer),
            partial(tables.similarity_table, chosen.labels, matrix), "token_similarity")
drift = contextual.drift(chosen)
charts.show(figures.drift_figure(chosen, drift), partial(tables.drift_table, chosen, drift), "layer_drift")

st.subheader("Same word, different meaning")
word = st.text_input("Word", contextual.DEFAULT_WORD, key="ctx_word")
lines = st.text_area("Sentences containing it, one per line", "\n".join(contextual.DEFAULT_SENTENCES),
                     key="ctx_sentences")
with user_errors():
    senses = contextual.same_word(loaded, word, lines.splitlines())
    st.caption("Each sentence is its own (cached) forward pass. Start a line with its sense in brackets, e.g. "
               "`[river]`, to mark which pairs share a sense. Pairs with the same sense should stay closer in the "
               "upper layers than pairs with different senses; in the embeddings only the position differs.")
    charts.show(figures.same_word_figure(senses), partial(tables.same_word_table, senses), "same_word")
    if gap := senses.sense_gap():
        same, different = gap
        if same > different:
            st.success(f"As expected: in the last layer same-sense pairs are closer ({same:.3f}) than pairs with "
                       f"different senses ({different:.3f}): the context moved the word's vector.")
        else:
            st.warning(f"Not what the caption expects: in the last layer same-sense pairs ({same:.3f}) are not closer "
                       f"than different-sense pairs ({different:.3f}). This model separates these senses weakly, or "
                       "the sentences differ in other ways (length, other shared words); try other sentences.")

st.subheader("Sentence vectors: [CLS] vs mean pooling")
with user_errors(show=st.info):
    sentences = contextual.sentence_vectors(loaded, analysis)
    st.caption("'Encoded alone' runs A and B separately (cached). Their [CLS] vectors start identical: same "
               "token, same position, no context yet; only the layers make them differ.")
    charts.show(figures.sentence_figure(sentences), partial(tables.sentence_table, sentences), "sentence_vectors")
    if blind := [k for k in sentences.cls_blind_layers() if k > 0]:
        st.info(f"[CLS] of A and [CLS] of B are practically the same vector (cosine ≥ 0.99) in "
                f"{', '.join(map(layer_names.layer_label, blind))}: up to there [CLS] has hardly read its sentence. [CLS] only carries "
                "the input where a training task made it (BERT's NSP head reads it through the pooler); a model "
                "trained with mean pooling, like the base of `bundled` (all-MiniLM-L6-v2), leaves it blind, so "
                "mean pooling is the better sentence vector there.")
