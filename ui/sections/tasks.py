"""Streamlit renderers of the four ways to use BERT, one per task, for pages/tasks.py (one model per call)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import config
from core.model import loading as models
from core.model.capabilities import MissingHeadError
from core.model.inputs import EncodedInput
from core.render import markdown_literal, percent, token_chip
from core.tasks import classify as tasks
from core.tasks import figures as task_figures
from core.tasks import heads, qa
from ui import loaders, registry
from ui.errors import user_errors
from ui.on_demand import asked
from ui.sidebar import Selection
from ui.state import persistent

FINETUNE_PAGE = "pages/finetune.py"
READ_COLOR, SKIPPED_COLOR = "#ffd54f", "#eeeeee"
# Shown at once: one backward pass. Integrated gradients (IG_STEPS passes) run when their button is pressed.
FAST_SALIENCY = tasks.SALIENCY_METHODS[1]


def task_model(task: str, selection: Selection) -> models.LoadedModel | None:
    """The "Model for this task" picker and its model, loaded once per name (ui/loaders); None, with the reason
    on the page, when it cannot be loaded (the picker still offers the others)."""
    options = heads.model_options(task, selection.model_name)
    name = st.selectbox(
        "Model for this task", options, format_func=lambda n: _option_label(n, task, selection.model_name),
        help="Each task opens with a model that has its head: the sidebar's model when it has one, else the "
             "task's ready-made model. Models trained here for this task are listed too.",
        **persistent(f"tasks_model_{task}", heads.default_model(task, selection.loaded), options, follow_default=True),
    )
    if name == selection.model_name and selection.loaded is not None:
        return selection.loaded
    others = ", ".join(markdown_literal(o) for o in options if o != name)
    with user_errors(advise=lambda err: others and st.caption(f"Pick another model for this task above: {others}.")):
        return _load(name, name == config.READY_MODELS[task])
    return None


def _load(name: str, ready_made: bool) -> models.LoadedModel:
    """The model, loaded once per name; a ready-made model that would have to come from the hub is not installed
    here (it ships with the app), so it is never looked for there."""
    if ready_made and models.needs_download(name):
        raise models.ModelLoadError(f"this task's ready-made model {name!r} is not installed with this copy of the "
                                    "app, so it cannot be loaded")
    with st.spinner(f"Loading {markdown_literal(name)}…"):
        return loaders.load_model(name)


def _option_label(name: str, task: str, sidebar_model: str) -> str:
    roles = ["ready-made for this task"] if name == config.READY_MODELS[task] else []
    if name == sidebar_model:
        roles.append("the sidebar's model")
    return f"{name} · {', '.join(roles) or 'trained here'}"


def missing_head(err: ValueError) -> None:
    """Advice under a task's error: when the model lacks a head the fine-tune runner can train, point to it."""
    if not isinstance(err, MissingHeadError) or err.head.pretraining:
        return
    st.caption("“Model for this task” above offers models that have this head.")
    if any(p.path == FINETUNE_PAGE for p in registry.PAGES):
        st.page_link(registry.page_file(FINETUNE_PAGE), label="Train a head on the fine-tune page", icon=":material/build:")
    else:
        st.info("The fine-tune page (pages/finetune.py) trains such a head and registers the result as a new model.")


def readout(loaded, task: str, encoded: EncodedInput) -> None:
    """The input's tokens, the positions the head reads highlighted, and the head's real weight shape."""
    head = tasks.head_readout(loaded, task, encoded)
    read = set(head.read_positions)
    chips = [token_chip(tok, READ_COLOR if i in read else SKIPPED_COLOR, f"position {i}" + (" · read by the head" if i in read else ""))
             for i, tok in enumerate(encoded.tokens)]
    st.html(f'<div class="head-readout" style="line-height:2.2">{"".join(chips)}</div>')
    if encoded.truncated:
        st.warning(encoded.truncation_notice())
    shape = " × ".join(map(str, head.weight_shape)) or "?"
    st.caption(f"The head reads **{head.positions}** (highlighted); its last layer is a {shape} weight matrix.")
    share = tasks.unknown_share(loaded, encoded)
    if share > 0.3:
        st.warning(f"{share:.0%} of the tokens are [UNK]: this model's vocabulary does not cover this text's language "
                   "(e.g. Chinese in an English model), so its answer means little. Try bert-base-chinese.")


def sentence(loaded, text_a: str, text_b: str | None, slot: str) -> None:
    """Sentence (text_b None) or sentence-pair classification: bars, [CLS] path, saliency."""
    with user_errors(advise=missing_head) as outcome:
        result = tasks.classify(loaded, text_a, text_b)
    if outcome.failed:
        return
    readout(loaded, result.task, result.inputs)
    st.markdown(f"**{markdown_literal(result.labels[result.predicted])}** "
                f"({percent(result.probabilities[result.predicted])}, {result.head.short} head)")
    st.plotly_chart(task_figures.probability_bars(result), key=f"tasks_bars_{slot}")
    st.plotly_chart(task_figures.cls_path_figure(result), key=f"tasks_path_{slot}")
    left, right = st.columns(2)
    method = left.radio("Saliency", tasks.SALIENCY_METHODS, tasks.SALIENCY_METHODS.index(FAST_SALIENCY),
                        horizontal=True, key=f"tasks_saliency_{slot}",
                        help="gradient × input: one backward pass, shown at once; integrated gradients: many passes, "
                             "closer to the logit gap, computed when asked")
    integrated = method == tasks.SALIENCY_METHODS[0]
    steps = right.select_slider("Integration steps", [8, 16, 32, 64], tasks.IG_STEPS, key=f"tasks_steps_{slot}",
                                disabled=not integrated,
                                help="More steps: slower, and the saliency sum gets closer to the logit gap")
    request = (loaded.load_id, text_a, text_b, method, steps)
    if integrated and not asked(f"Compute integrated gradients ({steps} steps)", f"tasks_saliency_run_{slot}", request,
                                help=f"{steps} forward and backward passes of the model; gradient × input takes one"):
        return
    with st.spinner("Computing saliency…"):
        explained = tasks.saliency(loaded, text_a, text_b, method, steps)
    st.html(task_figures.saliency_html(explained))
    gap = f" (IG completeness: saliency sum {explained.scores.sum():+.3g} vs logit gap {explained.target_logit - explained.baseline_logit:+.3g})" \
        if integrated else ""
    st.caption(f"Green pushed the logit of **{markdown_literal(explained.target)}** up, red pushed it down{gap}. "
               "Baseline: every word replaced by [PAD].")


def token(loaded, text: str, slot: str) -> None:
    """Token classification: entities on the text, and the per-token probability table."""
    aggregation = st.radio("Merge word pieces by", tasks.AGGREGATIONS, horizontal=True, key=f"tasks_agg_{slot}",
                           help="first: the first piece's label; average: mean of the pieces' probabilities; max: the most confident piece")
    with user_errors(advise=missing_head) as outcome:
        result = tasks.classify_tokens(loaded, text, aggregation)
    if outcome.failed:
        return
    readout(loaded, "token", result.inputs)
    st.html(task_figures.entities_html(result))
    if not result.entities:
        st.caption("No entity found: every word was labelled O.")
    table = pd.DataFrame(result.probabilities, columns=result.labels).round(3)
    table.insert(0, "predicted", result.predicted)
    table.insert(0, "token", result.inputs.tokens)
    st.dataframe(table.rename_axis("position"), key=f"tasks_table_{slot}")


def question_answering(loaded, question: str, passage: str, options: qa.QAOptions, slot: str) -> None:
    """QA: top-k spans on the passage, the start/end logit plot, and the windows of a long passage."""
    with user_errors(advise=missing_head) as outcome:
        result = qa.answer_question(loaded, question, passage, options)
    if outcome.failed:
        return
    readout_qa(loaded, result.windows[result.best_window or 0])
    if result.prefers_no_answer:
        st.warning(f"**No answer**: the [CLS] score ({result.no_answer_score:.3g}) beats every span — the model "
                   "thinks the passage does not contain the answer.")
    if not result.answers:
        st.info(f"No span of at most {options.max_answer_len} tokens was found in the passage.")
    st.html(task_figures.answers_html(result))
    st.dataframe(pd.DataFrame([{"answer": a.text, "score": f"{a.score:.3g}", "start + end logit": round(a.logit, 3),
                                "chars": f"{a.start}–{a.end}", "window": a.window + 1} for a in result.answers],
                              index=pd.RangeIndex(1, len(result.answers) + 1, name="rank")), key=f"tasks_answers_{slot}")
    if options.allow_no_answer and not result.prefers_no_answer:
        st.caption(f"'No answer' ([CLS] as start and end) scores {result.no_answer_score:.3g}, below the best span, "
                   "so the model answers.")
    if result.unknown_share > 0.3:
        st.warning(f"{result.unknown_share:.0%} of the passage tokens are [UNK]: this model's vocabulary does not "
                   "cover the passage's language (e.g. Chinese in an English model).")
    shown = result.best_window or 0
    if len(result.windows) > 1:
        st.info(f"The passage is longer than one input, so it was cut into {len(result.windows)} overlapping windows "
                f"({options.stride} shared tokens); window {shown + 1} produced the best answer.")
        shown = st.slider("Window", 1, len(result.windows), shown + 1, key=f"tasks_window_{slot}") - 1
        with st.expander(f"The part of the passage window {shown + 1} covers"):
            st.html(task_figures.window_html(result, result.windows[shown]))
    st.plotly_chart(task_figures.qa_logits_figure(result, shown), key=f"tasks_logits_{slot}")


def readout_qa(loaded, window: qa.Window) -> None:
    """QA readout: the passage tokens of the best window, scored by the head's start and end vectors."""
    weight = loaded.model.qa_outputs.weight
    chips = [token_chip(tok, READ_COLOR if inside else SKIPPED_COLOR, f"position {i}")
             for i, (tok, inside) in enumerate(zip(window.tokens, window.passage_mask))]
    st.html(f'<div class="head-readout" style="line-height:2.2">{"".join(chips)}</div>')
    st.caption(f"The QA head is a {weight.shape[0]} × {weight.shape[1]} matrix: row 0 is the **start vector**, row 1 "
               "the **end vector**; each passage token's final vector (highlighted) is dotted with both. "
               "Answer = best start ≤ end within the passage.")
