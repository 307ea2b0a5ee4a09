"""The MLM page's parts: mask picker and one function per tab. Each reads widgets, calls core.mlm.fill_mask*, renders."""

from __future__ import annotations

import zlib

import pandas as pd
import streamlit as st

from core import config
from core.mlm import figures as mlm_figures
from core.mlm import fill_mask as mlm
from core.mlm import masking as mlm_pretraining
from core.mlm import scoring as mlm_scoring
from core.model import loading as models
from core.model.capabilities import Head, require_head
from core.model.inputs import EncodedInput
from core.render import percent
from ui import loaders, registry
from ui.errors import user_errors
from ui.state import persistent

# Hub models with a real pre-trained MLM head, offered when the chosen model has none.
MLM_MODELS = ("bert-base-uncased", "bert-large-uncased", "bert-base-chinese", "albert-base-v2")


def _use_model(name: str) -> None:
    st.session_state.model = name  # runs as a button callback, before the sidebar widget is drawn


def no_head(loaded: models.LoadedModel) -> None:
    """Say the model has no MLM head, offer models that have one, and stop the page."""
    with user_errors():
        require_head(loaded, Head.MLM)
    st.markdown(
        "Masked-word prediction needs the checkpoint's own **trained MLM head** — a random head would "
        "show noise. Pick a model that has one below (a hub id downloads once, then works offline), type a local "
        "folder holding a `BertForMaskedLM` / `BertForPreTraining` checkpoint in the sidebar, or pre-train one on "
        "the **Pre-train** page. The other views (embeddings, attention) work on any encoder."
    )
    offline = not models.hub_reachable()
    local = [name for name in models.pretrained_models() if name != loaded.name]
    candidates = [*local, *(name for name in MLM_MODELS if name != loaded.name)]
    cols = st.columns(min(4, len(candidates)))
    for i, name in enumerate(dict.fromkeys(candidates)):
        cached = name in local or models.in_hub_cache(name)
        cols[i % len(cols)].button(f"Use {name}", key=f"mlm_use_{name}", on_click=_use_model, args=(name,),
                                   disabled=offline and not cached,
                                   help="available offline" if cached else "downloads from the Hugging Face hub")
    st.page_link(registry.page_file("pages/pretrain.py"), label="Pre-train a model with an MLM head", icon=":material/fitness_center:")
    if offline:
        st.caption("Offline: only models already on this machine can be picked.")
    st.stop()


def example_mask(encoded: EncodedInput, text_a: str, text_b: str | None) -> list[int]:
    """Position of the example's pre-masked word while the sentences are still the example pair (else none)."""
    if (text_a, text_b) != (config.DEFAULT_TEXT_A, config.DEFAULT_TEXT_B):
        return []
    return [i for i, token in enumerate(encoded.tokens) if token == config.DEFAULT_MASKED_WORD][:1]


def mask_picker(loaded: models.LoadedModel, encoded: EncodedInput, text_a: str, text_b: str | None) -> list[int]:
    """Clickable tokens: the positions the user masks on top of any [MASK] typed in the text."""
    mask_id = loaded.tokenizer.mask_token_id
    maskable = [i for i, (special, tid) in enumerate(zip(encoded.special_mask, encoded.input_ids))
                if not special and tid != mask_id]
    # One widget per tokenization: a pick must not slide onto another word when the text changes.
    key = f"mlm_picked_{zlib.crc32(chr(31).join(encoded.tokens).encode())}"
    picked = st.pills("Click tokens to mask them", maskable, selection_mode="multi", key=key,
                      default=[i for i in example_mask(encoded, text_a, text_b) if i in maskable],
                      format_func=lambda i: encoded.tokens[i],
                      help="Works on top of any [MASK] you type in sentence A or B (any case: [mask] works too).")
    if st.toggle("Mask whole words", key="mlm_whole_words", help="Clicking one piece masks every piece of its word."):
        picked = sorted({p for i in picked for p in mlm.word_pieces(encoded, i)})
    return [p for p in picked if p in maskable]


def _mask_label(mask: mlm.MaskPrediction) -> str:
    was = f" (was “{mask.original}”: rank {mask.original_rank}, p = {percent(mask.original_score)})" if mask.original else ""
    return f"position {mask.position}{was}"


def predictions(loaded, selection, picked: list[int], top_k: int) -> None:
    """Top-k bars per mask, the masked word's rank, and the model's input."""
    result = mlm.fill_mask(loaded, selection.text_a, selection.text_b, top_k, picked)
    st.html(mlm_figures.tokens_html(result.tokens, [m.position for m in result.masks]))
    cols = st.columns(min(3, len(result.masks)))
    for i, mask in enumerate(result.masks):
        fig = mlm_figures.predictions_figure(mask, _mask_label(mask))
        cols[i % len(cols)].plotly_chart(fig, key=f"mlm_bars_{i}")
    if len(result.masks) > 1:
        st.caption("Each mask is predicted on its own from the same input — BERT ignores the dependency between "
                   "masked tokens. The tab *Several masks* fills them jointly.")


def word_vs_piece(loaded, selection, picked: list[int], top_k: int) -> None:
    """One piece of a split word masked vs the whole word masked, side by side."""
    encoded = mlm.masked_encoding(loaded, selection.text_a, selection.text_b)
    words = mlm.multi_piece_words(encoded)
    if not words:
        st.info("No word in the text is split into WordPiece pieces; add one such as “unbelievable” or “giraffes”.")
        return
    word, pieces = st.selectbox("Word", words, format_func=lambda w: f"{w[0]}  →  {' '.join(encoded.tokens[p] for p in w[1])}",
                                **persistent("mlm_word", options=words))
    piece = st.radio("Piece to mask alone", pieces, format_func=lambda p: encoded.tokens[p], horizontal=True,
                     **persistent("mlm_piece", options=pieces))
    comparison = mlm.compare_word_masking(loaded, selection.text_a, selection.text_b, piece, top_k)
    left, right = st.columns(2)
    left.markdown(f"**Sub-word masking** — only “{encoded.tokens[piece]}” hidden; the other pieces give the word away")
    for mask in comparison.sub_word.masks:
        left.plotly_chart(mlm_figures.predictions_figure(mask, _mask_label(mask)), key=f"mlm_sub_{mask.position}")
    right.markdown(f"**Whole-word masking** — every piece of “{word}” hidden")
    for mask in comparison.whole_word.masks:
        right.plotly_chart(mlm_figures.predictions_figure(mask, _mask_label(mask)), key=f"mlm_whole_{mask.position}")
    joint = mlm_scoring.joint_fill(loaded, selection.text_a, selection.text_b, pieces)
    right.markdown(f"Joint fill of the whole word: **{' '.join(joint.joint.tokens)}**")


def several_masks(loaded, selection, picked: list[int], top_k: int) -> None:
    """Independent argmax per mask vs iterative and beam fills, compared by pseudo-log-likelihood."""
    result = mlm_scoring.joint_fill(loaded, selection.text_a, selection.text_b, picked)
    if len(result.positions) < 2:
        st.info("Put two or more [MASK]s in the text (e.g. “new [MASK] [MASK] is a big city.”) to see how "
                "independent predictions can disagree with each other.")
    rows = [{"strategy": name, "fills": " · ".join(f.tokens), "PLL (higher is better)": round(f.pll, 3),
             "per-mask log p": ", ".join(f"{lp:.2f}" for lp in f.log_probs), "text": f.text}
            for name, f in (("independent (one pass, BERT's assumption)", result.independent),
                            ("iterative (most confident first, re-run)", result.iterative),
                            ("joint (best of beam + the two above)", result.joint))]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    order = ", ".join(str(p) for p in result.fill_order)
    st.caption(f"PLL = Σ log P(fill at a mask | all other fills), each mask hidden again in turn. Iterative order: "
               f"positions {order}. {result.combinations_scored} combinations scored in batched passes.")


def logit_lens(loaded, selection, picked: list[int], top_k: int) -> None:
    """The MLM head applied after every layer at one mask: heatmap and the masked word's rank."""
    result = mlm.fill_mask(loaded, selection.text_a, selection.text_b, 1, picked)
    positions = [m.position for m in result.masks]
    position = st.selectbox("Mask", positions, **persistent("mlm_lens_position", options=positions),
                            format_func=lambda p: f"position {p} ({result.original_tokens[p]})")
    lens = mlm.logit_lens(loaded, selection.text_a, selection.text_b, position, picked, top_k)
    st.plotly_chart(mlm_figures.logit_lens_figure(lens), key="mlm_lens")
    if lens.original_ranks:
        st.plotly_chart(mlm_figures.original_rank_figure(lens), key="mlm_lens_rank")
    else:
        st.caption("Click a real word above to mask it: its rank at every depth then appears here.")
    st.caption("The same head module the model predicts with, applied to the hidden state after each encoder "
               "(no extra forward pass). The last row is the model's prediction.")


def pretraining(loaded, selection, picked: list[int], top_k: int) -> None:
    """One seeded draw of the 15 % / 80-10-10 rule, the predictions, and accuracy over many draws."""
    left, right = st.columns(2)
    seed = left.number_input("Seed", min_value=0, max_value=10_000, step=1, **persistent("mlm_seed", 0))
    draws = right.slider("Draws for the accuracy", 10, 200, step=10, **persistent("mlm_draws", 50))
    draw = mlm_pretraining.simulate_masking(loaded, selection.text_a, selection.text_b, seed=int(seed), top_k=top_k)
    st.html(mlm_figures.masking_draw_html(draw))
    st.caption("What the model sees: yellow → replaced by [MASK] (80 %), red → a random token (10 %), "
               "green → left unchanged but still predicted (10 %).")
    st.dataframe(pd.DataFrame([{"position": c.position, "action": c.action, "original": c.original,
                                "model saw": c.shown, "top guess": c.predictions[0].token,
                                "p": round(c.predictions[0].score, 3), "correct": c.correct} for c in draw.chosen]),
                 hide_index=True, width="stretch")
    with user_errors():  # too many draws of a long text is refused; the single draw above still stands
        accuracy = mlm_pretraining.masking_accuracy(loaded, selection.text_a, selection.text_b, draws, int(seed))
        st.plotly_chart(mlm_figures.masking_accuracy_figure(accuracy), key="mlm_accuracy")


def sentence_score(loaded, selection, picked: list[int], top_k: int) -> None:
    """Pseudo-log-likelihood and pseudo-perplexity, every token coloured by its score."""
    score = mlm_scoring.pseudo_log_likelihood(loaded, selection.text_a, selection.text_b)
    cols = st.columns(3)
    cols[0].metric("Pseudo-perplexity", f"{score.pseudo_perplexity:.2f}")
    cols[1].metric("Pseudo-log-likelihood", f"{score.pseudo_log_likelihood:.2f}")
    cols[2].metric("Forward passes", score.forward_passes)
    st.html(mlm_figures.pseudo_likelihood_html(score))
    st.caption("Each token is masked in turn (all variants in one batched pass) and scored: green = the model "
               "expected it, red = it surprised the model. Hover a token for its probability.")


def _second_model_options(current: str) -> list[str]:
    """Models to compare with, those available offline first; the current one last (a copy of itself)."""
    names = [*models.trained_models(), config.BUNDLED_ALIAS, *MLM_MODELS]
    local = [n for n in names if n in models.trained_models() or models.in_hub_cache(n)]
    return list(dict.fromkeys([*local, *names, current]))


def compare_models(loaded, selection, picked: list[int], top_k: int) -> None:
    """The same masked input through a second model, side by side."""
    options = _second_model_options(loaded.name)
    other_name = st.selectbox("Second model", options, **persistent("mlm_other_model"), accept_new_options=True,
                              help="A hub id, local folder or alias with an MLM head.")
    with user_errors() as outcome:
        other = loaders.load_model(other_name)
    if outcome.failed:
        return
    mine = mlm.fill_mask(loaded, selection.text_a, selection.text_b, top_k, picked)
    other_encoded = mlm.masked_encoding(other, selection.text_a, selection.text_b)
    same_pieces = other_encoded.tokens == mlm.masked_encoding(loaded, selection.text_a, selection.text_b).tokens
    theirs = mlm.fill_mask(other, selection.text_a, selection.text_b, top_k, picked if same_pieces else ())
    left, right = st.columns(2)
    for col, name, result in ((left, loaded.name, mine), (right, other.name, theirs)):
        col.markdown(f"**{name}**")
        for mask in result.masks:
            col.plotly_chart(mlm_figures.predictions_figure(mask, _mask_label(mask)),
                             key=f"mlm_cmp_{col is left}_{mask.position}")
    if picked and not same_pieces:
        st.caption("The second model splits the text differently, so only the typed [MASK]s are compared.")
