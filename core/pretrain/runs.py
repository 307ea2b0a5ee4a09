"""Short pre-training runs for the app and the CLI, and comparing runs on the same held-out pairs.

Note section 3: a run trained with random-document negatives learns topic, one trained with
same-document or swapped negatives must learn coherence; `compare_runs` scores both kinds of run on
identical held-out pairs of every strategy, so the difference is visible in one table.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
from plotly.subplots import make_subplots
from transformers import AutoTokenizer

from core import config, corpus
from core.corpus import segment_documents
from core.lib import uploads
from core.model import checkpoints
from core.pretrain.data import NEGATIVE_STRATEGIES, check_strategy, draw_pairs
from core.pretrain.runner import EvalResult, PretrainConfig, PretrainResult, evaluate, load_for_pretraining, new_small_model, pretrain
from core.training.jobs import Progress

FROM_SCRATCH = "tiny (from scratch)"  # base choice: a 2-layer BERT with the bundled model's vocabulary
HOLD_OUT_EVERY = 4  # a quarter of the documents is kept for evaluation only…
MIN_DOCUMENTS_TO_HOLD_OUT = 6  # …when there are at least this many
COMPARE_PAIRS = 200  # held-out pairs per strategy when comparing runs
EXAMPLE_TOPICS = 40  # Python documentation topics offered as example documents


@dataclass(frozen=True)
class RunRequest:
    """What the page or the CLI asks for."""

    documents: tuple[str, ...]  # plain-text documents
    base: str  # a model name (hub id, folder, alias) or FROM_SCRATCH
    alias: str  # the run is saved as this model name under MODELS_HOME
    config: PretrainConfig = field(default_factory=PretrainConfig)
    resume: bool = False  # continue the alias's last checkpoint instead of starting over
    overwrite: bool = False  # replace a saved model of the same name (resuming continues one, which is allowed)


@dataclass(frozen=True)
class DocumentSplit:
    """Segmented documents: those trained on and those held out for evaluation."""

    train: list[list[str]]
    held_out: list[list[str]]
    held_out_is_unseen: bool  # False when too few documents: evaluation then reuses training text


def example_documents(count: int = EXAMPLE_TOPICS) -> list[str]:
    """Real documents that ship with Python (its documentation topics, PSF licence), for trying the page."""
    texts = [text for text in corpus.python_doc_topics().values() if len(text.split()) > 300]
    return texts[:count]


def read_uploaded_documents(files: list[tuple[str, bytes]]) -> list[str]:
    """The text of uploaded .txt files, one document each, within the page's size limit (names the bad file)."""
    texts = uploads.read_text_files(files, config.DOCUMENTS_UPLOAD_MAX_MB,
                                    "upload fewer or shorter documents (a 400-step run reads well under 1 MB of "
                                    "text), or pre-train on all of them with `python -m core pretrain FILES`")
    return [text for _, text in texts]


def split_held_out(documents: list[str], segment_words: int = 40) -> DocumentSplit:
    """Hold out the last quarter of the documents (at least two, for random-document negatives)."""
    segmented = segment_documents(list(documents), segment_words)
    if len(segmented) < MIN_DOCUMENTS_TO_HOLD_OUT:
        return DocumentSplit(segmented, segmented, False)
    held = max(2, len(segmented) // HOLD_OUT_EVERY)
    return DocumentSplit(segmented[:-held], segmented[-held:], True)


def _base_model(request: RunRequest):
    """The model to start from: a named checkpoint (by name, loaded in pretrain) or a new small one."""
    if request.base != FROM_SCRATCH:
        return request.base, None
    from core.model.bundled import base_model_path

    tokenizer = AutoTokenizer.from_pretrained(base_model_path())
    return new_small_model(tokenizer, seed=request.config.seed), tokenizer


def check_request(request: RunRequest) -> None:
    """Raise a ValueError a user can act on before a run is started in the background."""
    checkpoints.new_model_dir(request.alias)  # a usable model name, short enough, shadowing no hub id
    checkpoints.check_overwrite(request.alias, request.overwrite or request.resume)
    request.config.validate()
    check_strategy(split_held_out(list(request.documents)).train, request.config.negatives)


def run(request: RunRequest, report: Callable[[Progress], None] | None = None) -> PretrainResult:
    """Pre-train as requested; checkpoints land in the alias's folder (the model picker lists it)."""
    check_request(request)  # refused before any training
    output_dir = checkpoints.model_dir(request.alias)
    split = split_held_out(list(request.documents))
    base, tokenizer = _base_model(request)
    with checkpoints.writer_lock(request.alias):  # one run per model name at a time
        return pretrain(base, split.train, output_dir, request.config, tokenizer, report, request.resume)


@dataclass(frozen=True)
class RunScore:
    """One run scored on the shared held-out pairs: MLM top-1 and NSP accuracy per negative strategy."""

    run: str
    negatives: str  # the NEGATIVE_STRATEGIES key the run trained with
    steps: int | None  # steps it trained (None: the shipped bundled model, see its model card)
    mlm_accuracy: float  # on the random-document pairs' hidden tokens
    nsp_accuracy: dict[str, float]  # strategy -> accuracy
    pairs_per_strategy: int
    held_out_is_unseen: bool


@functools.lru_cache(maxsize=16)
def _score(model_dir: str, saved_at: str, documents: tuple[str, ...], max_seq_len: int, run: str) -> RunScore:
    """Cached by the checkpoint's save time, so a finished run is scored once."""
    split = split_held_out(list(documents))
    model, tokenizer, new = load_for_pretraining(model_dir)
    if new:
        raise ValueError(f"{Path(model_dir).name!r} has no trained pre-training heads to compare")
    results: dict[str, EvalResult] = {}
    for strategy in NEGATIVE_STRATEGIES:
        try:
            results[strategy] = evaluate(model, tokenizer, draw_pairs(split.held_out, strategy, COMPARE_PAIRS),
                                         max_seq_len)
        except ValueError:  # e.g. no document long enough for same-document negatives
            continue
    mlm = results.get("random_document") or next(iter(results.values()))
    meta = checkpoints.read_metadata(Path(model_dir))
    negatives = meta.get("config", {}).get("negatives", "random_document")  # bundled: random-document (its card)
    return RunScore(run, negatives, meta.get("step"), mlm.mlm_accuracy,
                    {s: r.nsp_accuracy for s, r in results.items()}, COMPARE_PAIRS, split.held_out_is_unseen)


def compare_runs(aliases: list[str], documents: list[str], max_seq_len: int = 128) -> list[RunScore]:
    """Score saved runs on the same held-out pairs of the same documents (fixed seeds, fixed masks)."""
    from core.model.loading import bundled_model_path

    scores = []
    for alias in aliases:
        folder = bundled_model_path() if alias == config.BUNDLED_ALIAS else checkpoints.model_dir(alias)
        if not checkpoints.is_complete(folder):
            raise ValueError(f"no finished checkpoint named {alias!r}: run a pre-training first")
        saved_at = checkpoints.read_metadata(folder).get("saved_at", "")
        scores.append(_score(str(folder), saved_at, tuple(documents), max_seq_len, alias))
    return scores


def suggested_alias(negatives: str, steps: int) -> str:
    """A free model name that says what the run is: pretrain-<negatives>-<steps>[-2, -3, …]."""
    from core.model.loading import trained_models

    stem = f"pretrain-{negatives.replace('_', '-')}-{steps}"
    taken = set(trained_models())
    return next(name for n in itertools.count(1) if (name := stem if n == 1 else f"{stem}-{n}") not in taken)


def pretraining_runs() -> list[str]:
    """Aliases of the saved checkpoints that a pre-training run wrote (the page offers `bundled` beside them)."""
    from core.model.loading import trained_models

    return [a for a in trained_models()
            if checkpoints.read_metadata(checkpoints.model_dir(a)).get("task") == "pretraining"]


def delete_run(alias: str) -> None:
    """Remove exactly the pre-training run named `alias` (see checkpoints.delete_model)."""
    checkpoints.delete_model(alias, lambda meta: meta.get("task") == "pretraining", "a pre-training run")


def runs_curves_figure(histories: dict[str, list[dict]], smooth: int = 5) -> go.Figure:
    """Loss, MLM accuracy and NSP accuracy per step for one or more runs (moving average of `smooth` steps)."""
    panels = (("loss", "joint loss (MLM + NSP)"), ("mlm_accuracy", "MLM top-1 (batch)"),
              ("nsp_accuracy", "NSP accuracy (batch)"))
    fig = make_subplots(rows=1, cols=3, subplot_titles=[title for _, title in panels])
    for run_index, (name, history) in enumerate(histories.items()):
        steps = [h["step"] for h in history]
        for col, (key, _) in enumerate(panels, start=1):
            values = [h[key] for h in history]
            averaged = [sum(values[max(0, i - smooth + 1):i + 1]) / len(values[max(0, i - smooth + 1):i + 1])
                        for i in range(len(values))]
            fig.add_trace(go.Scatter(x=steps, y=averaged, name=name, legendgroup=name, showlegend=col == 1,
                                     line={"color": _COLORS[run_index % len(_COLORS)]}), row=1, col=col)
    fig.update_xaxes(title_text="step")
    fig.update_layout(height=320, margin={"t": 40, "b": 40, "l": 40, "r": 10})
    return fig


_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")
