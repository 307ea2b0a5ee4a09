"""Masked words (MLM): predictions at every [MASK], whole-word masking, joint fills, logit lens, pre-training masking."""

import streamlit as st

from core.mlm import fill_mask as mlm
from ui import session
from ui.errors import user_errors
from ui.sections import mlm as sections

TABS = {
    "Predictions": sections.predictions,
    "Whole word vs piece": sections.word_vs_piece,
    "Several masks: independent vs joint": sections.several_masks,
    "Per layer (logit lens)": sections.logit_lens,
    "Pre-training masking": sections.pretraining,
    "Sentence score": sections.sentence_score,
    "Compare models": sections.compare_models,
}
# Tabs that need at least one mask in the input; the others read the plain text.
NEEDS_MASK = {"Predictions", "Several masks: independent vs joint", "Per layer (logit lens)", "Compare models"}

st.title("Masked words (MLM)")
st.markdown(
    "BERT pre-trains by **predicting masked words** from *both* sides of the context — an auto-encoding model, "
    "unlike left-to-right GPT. The labels are the words themselves, so the task is self-supervised. Its weakness: "
    "**each mask is predicted independently of the others.** Type `[MASK]` in sentence A or B, or click tokens below."
)
loaded = session.require_model()
if not loaded.capabilities.mlm:
    sections.no_head(loaded)
selection = session.current()
with user_errors(stop=True):
    encoded = mlm.masked_encoding(loaded, selection.text_a, selection.text_b)

picked = sections.mask_picker(loaded, encoded, selection.text_a, selection.text_b)
has_mask = bool(picked) or loaded.tokenizer.mask_token_id in encoded.input_ids
top_k = st.slider("Predictions per mask (k)", 1, 20, 5, key="mlm_top_k")
if not has_mask:
    st.info(f"{mlm.NO_MASK_MESSAGE[0].upper()}{mlm.NO_MASK_MESSAGE[1:]} above. "
            "The tabs *Whole word vs piece*, *Pre-training masking* and *Sentence score* work without one.")

for (label, draw), tab in zip(TABS.items(), st.tabs(list(TABS), key="mlm_tab", on_change="rerun")):
    if tab.open is False:  # only the open tab runs: some tabs run the model many times
        continue
    with tab:
        if label in NEEDS_MASK and not has_mask:
            continue  # the message above says what to do
        with user_errors():
            with st.spinner("Running the MLM head…"):
                draw(loaded, selection, picked, top_k)
