"""Home: the model in brief, how BERT reads the input, and links to every view."""

import pandas as pd
import streamlit as st

from core import config
from core.model import bundled, ready
from core.model import card as model_card
from core.model import layers as layer_names
from core.render import encoder_diagram_html, markdown_literal, token_strip_html
from ui import registry, session

st.title("BERT explorer")
st.markdown(
    "BERT is a **stack of Transformer encoders** that turns a sentence into contextual word embeddings "
    "(BERT-Base stacks 12 encoders, BERT-Large 24). One encoder = multi-head self-attention → add & norm → "
    "feed-forward → add & norm. Type sentences in the sidebar; every view below reads one forward pass."
)
st.page_link(registry.page_file("pages/lessons.py"), icon=":material/school:",
             label="New to BERT? The Lessons walk through the note step by step: predict, then see what the model "
                   "does (English / 中文)")
loaded = session.require_model()
card = model_card.model_card(loaded)

st.subheader(f"Model: {markdown_literal(card.name)}")
cols = [*st.columns(3), *st.columns(3)]  # two rows of three: the numbers stay whole in a narrow window
for col, (label, value) in zip(cols, [
    ("Encoder layers", card.num_layers), ("Hidden size", card.hidden_size), ("Attention heads", card.num_heads),
    ("Vocabulary", f"{card.vocab_size:,}"), ("Parameters", f"{card.num_parameters / 1e6:.1f} M"),
    ("Max tokens", card.max_positions),
]):
    col.metric(label, value)
caps = card.capabilities
st.markdown(" · ".join(
    f"{label}: **{'yes' if have else 'no'}**" for label, have in [
        ("MLM head", caps.mlm), ("NSP head", caps.nsp), ("SOP head", caps.sop), ("QA head", caps.qa),
        ("sentence classification", caps.sequence_classification),
        ("token classification", caps.token_classification),
    ]
))
st.caption(f"{card.architecture} · {card.model_type} · loaded from {markdown_literal(card.location)} · device {card.device}")
with st.expander("The encoder stack, drawn with this model's sizes", expanded=True):
    st.html(encoder_diagram_html(card.num_layers, card.hidden_size, card.num_heads, card.intermediate_size,
                                 caps.names))
    st.caption(layer_names.CONVENTION)
bundled_card = bundled.read_card() if loaded.name == config.BUNDLED_ALIAS else None
if bundled_card:
    with st.expander("About the bundled model: what it was trained on, what it scores"):
        st.markdown(
            "all-MiniLM-L6-v2 (a real pretrained 6-layer BERT) with MLM and NSP pre-training continued by this "
            f"project's own runner: first on the Python documentation, then for {bundled_card.steps:,} steps "
            f"({bundled_card.train_minutes:.0f} min on a 2-core CPU) on {bundled_card.corpus}. "
            "Scores on held-out text it never saw:"
        )
        st.dataframe(pd.DataFrame([
            ("everyday cloze: acceptable word ranked 1st", bundled_card.cloze_top1),
            ("everyday cloze: acceptable word in the top 5", bundled_card.cloze_top5),
            ("everyday next sentence vs unrelated sentence, right at 0.5", bundled_card.nsp_accuracy),
            ("Python docs: masked token ranked 1st", bundled_card.docs_mlm_accuracy),
            *[(f"everyday documents: NSP with {kind.replace('_', ' ')} negatives", acc) for kind, acc in bundled_card.nsp_by_negative.items()],
        ], columns=["held-out check", "score"]).style.format({"score": "{:.0%}"}), hide_index=True)

HELD_OUT_NAMES = {"accuracy": "accuracy", "per_loc_org_f1": "entity F1: people, places, organisations together",
                  "exact_match": "exact match", "f1": "word-overlap F1 (SQuAD)"}
LATER_SETS = {"held_out_second": "second set (written later, untouched)",
              "held_out_third": "third set (written later still, untouched)"}
ready_card = ready.read_card(loaded.name) if loaded.name in config.READY_ALIASES else None
if ready_card:
    with st.expander("About this ready-made model: what it was trained on, what it scores"):
        st.markdown(
            f"`bundled` fine-tuned by this project's runner with a rank-{ready_card['lora_rank']} LoRA adapter "
            f"(shipped as {ready_card['adapter']['bytes'] / 1e6:.1f} MB), {ready_card['steps']:,} steps "
            f"({ready_card['train_seconds'] / 60:.0f} min on {ready_card['threads']} CPU thread"
            f"{'s' if ready_card['threads'] > 1 else ''}) on {ready_card['train_examples']:,} "
            f"{markdown_literal(ready_card['data'])}. Labels: {', '.join(map(markdown_literal, ready_card['labels'])) or 'start / end'}. "
            "Scores on held-out sets written by hand, never trained on:"
        )
        held_out = ready_card.get("held_out", {})
        rows = [(HELD_OUT_NAMES.get(name, name), value) for name, value in held_out.items() if isinstance(value, float)]
        rows += [(f"{kind}: entity F1", figures["f1"]) for kind, figures in held_out.get("per_kind", {}).items()]
        later = [(LATER_SETS[key], ready_card[key]) for key in LATER_SETS if key in ready_card]
        if later:  # each earlier set's misses guided a revision of the data generator
            rows = [(f"{name}, first set (its misses guided the data generator)", value) for name, value in rows]
            rows += [(f"{HELD_OUT_NAMES.get(name, name)}, {label}", value)
                     for label, figures in later for name, value in figures.items() if isinstance(value, float)]
        st.dataframe(pd.DataFrame(rows, columns=["held-out check", "score"]).style.format({"score": "{:.0%}"}),
                     hide_index=True)

analysis = session.require_analysis()
encoded = analysis.inputs
st.subheader("How BERT reads your input")
st.markdown(
    "`[CLS] sentence A [SEP] sentence B [SEP]` — `[SEP]` separates the sentences; the `[CLS]` position "
    "feeds the sentence-level classifier. Blue = sentence A (segment 0), orange = sentence B (segment 1)."
)
st.html(token_strip_html(encoded))
st.dataframe(
    pd.DataFrame({
        "token": encoded.tokens, "id": encoded.input_ids, "segment": encoded.token_type_ids,
        "sentence": ["—" if s is None else "AB"[s] for s in encoded.sentence_ids],
        "word": pd.Series(encoded.word_ids, dtype="Int64"),
    }).rename_axis("position"),
    width="stretch",
)

st.subheader("Views")
for page in registry.PAGES[1:]:
    st.page_link(registry.page_file(page.path), label=f"{page.title} — {page.blurb}", icon=page.icon)
