"""The pre-training lesson in a few minutes: what each kind of NSP negative teaches (note section 3.2).

Three short runs continue the same model, each with a fresh NSP head and one kind of negative; then every
run is scored on held-out pairs of every kind. Random-document negatives are told apart by topic, so that
run learns fast and well on random-document pairs but stays near chance on swapped ones; swapped
negatives share the topic, so that run must use order, and it gives up the topic cue. The table of ROC
AUCs (rows: trained with, columns: scored on) is the lesson in real numbers from real runs.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch

from core import config
from core.lib.numerics import roc_auc
from core.pretrain.data import NEGATIVE_STRATEGIES, SentencePair, check_strategy, draw_pairs
from core.pretrain.runner import PretrainConfig, load_for_pretraining, pretrain
from core.pretrain.runs import split_held_out
from core.training.jobs import Progress

# Measured on the example documents (README): three runs of 60 steps take about 3 minutes on 2 CPU cores.
LESSON_CONFIG = PretrainConfig(steps=60, batch_size=16, max_seq_len=64, encoder_lr=2e-4, head_lr=1e-4,
                               nsp_lr=1e-3, warmup_steps=5, nsp_weight=3.0, checkpoint_every=10**6, bf16=True)
EVAL_PAIRS = 200  # held-out pairs per kind (half of them positives), the same for every run
EVAL_SEED = 7
KIND_NAMES = {"random_document": "random document", "same_document": "same document", "swapped": "swapped"}


@dataclass(frozen=True)
class LessonRun:
    """One run of the lesson: the negatives it trained with, its curve and its held-out scores per kind."""

    negatives: str  # a NEGATIVE_STRATEGIES key
    seconds: float
    history: list[dict]  # the runner's per-step metrics
    auc: dict[str, float]  # kind of held-out pair -> ROC AUC of P(IsNext), consecutive vs that negative
    accuracy: dict[str, float]  # kind -> share right at P(IsNext) = 0.5

    def final_batch_accuracy(self, last: int = 20) -> float:
        """NSP accuracy on its own training batches over the last `last` steps: how hard its negatives were."""
        tail = [h["nsp_accuracy"] for h in self.history[-last:]]
        return sum(tail) / max(1, len(tail))


@dataclass(frozen=True)
class LessonResult:
    base: str
    steps: int
    pairs_per_kind: int
    held_out_is_unseen: bool  # False when the documents were too few to keep some out of training
    runs: tuple[LessonRun, ...]

    def auc_table(self) -> list[dict]:
        """Rows for a table: trained with × scored on."""
        return [{"trained with": KIND_NAMES[run.negatives],
                 **{f"AUC on {KIND_NAMES[kind]}": round(value, 3) for kind, value in run.auc.items()},
                 "seconds": round(run.seconds)}
                for run in self.runs]

    def findings(self) -> list[str]:
        """The lesson in sentences, read off the measured numbers (each names the numbers it rests on)."""
        by = {run.negatives: run for run in self.runs}
        lines = []
        if len(by) == len(NEGATIVE_STRATEGIES):
            acc = {kind: by[kind].final_batch_accuracy() for kind in NEGATIVE_STRATEGIES}
            lines.append(
                f"Same model, same steps, three kinds of negatives: on its own training batches the run got "
                f"{acc['random_document']:.0%} of random-document pairs right by the end, {acc['same_document']:.0%} "
                f"of same-document and {acc['swapped']:.0%} of swapped ones. Random-document negatives are the easy "
                "task; the harder ones are what would make a model judge coherence.")
        if "random_document" in by:
            run = by["random_document"]
            lines.append(
                f"Trained with random-document negatives: AUC {run.auc['random_document']:.2f} on random-document "
                f"pairs but {run.auc['swapped']:.2f} on swapped ones ({_closeness(run.auc['swapped'])}): topic tells "
                "its pairs apart, so it never had to learn which sentence comes first.")
        if "random_document" in by and "swapped" in by:
            topic, order = by["swapped"].auc, by["random_document"].auc
            lines.append(
                f"Trained with swapped negatives: random-document pairs {topic['random_document']:.2f} against "
                f"{order['random_document']:.2f} for the random-document run, swapped pairs {topic['swapped']:.2f} "
                f"against {order['swapped']:.2f}. Both segments of a swapped pair share the topic, so topic earns "
                "nothing there and the run lets go of it; order is the cue left, and a few minutes are far too few "
                "to learn it (pre-training runs for days).")
        return lines


def _closeness(auc: float) -> str:
    return "chance" if abs(auc - 0.5) < 0.05 else "near chance" if abs(auc - 0.5) < 0.1 else "above chance"


@torch.no_grad()
def is_next_probabilities(model, tokenizer, pairs: list[SentencePair], max_seq_len: int,
                          batch_size: int = 32) -> np.ndarray:
    """P(IsNext) of each pair from the encoder, its pooler and the NSP head (no MLM head)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    out = []
    for start in range(0, len(pairs), batch_size):
        chunk = pairs[start:start + batch_size]
        enc = tokenizer([p.text_a for p in chunk], [p.text_b for p in chunk], truncation=True,
                        max_length=max_seq_len, padding=True, return_tensors="pt").to(device)
        logits = model.cls.seq_relationship(model.bert(**enc).pooler_output)
        out.append(torch.softmax(logits.float(), dim=-1)[:, 0].cpu())
    model.train(was_training)
    return torch.cat(out).numpy()


def score_kinds(model, tokenizer, eval_sets: dict[str, list[SentencePair]], max_seq_len: int
                ) -> tuple[dict[str, float], dict[str, float]]:
    """(AUC per kind, accuracy at 0.5 per kind) on fixed held-out pairs."""
    auc, accuracy = {}, {}
    for kind, pairs in eval_sets.items():
        p = is_next_probabilities(model, tokenizer, pairs, max_seq_len)
        y = np.array([pair.is_next for pair in pairs])
        auc[kind], accuracy[kind] = roc_auc(p[y], p[~y]), float(((p > 0.5) == y).mean())
    return auc, accuracy


def run_lesson(documents: list[str], base: str = config.BUNDLED_ALIAS, cfg: PretrainConfig | None = None,
               report: Callable[[Progress], None] | None = None,
               strategies: tuple[str, ...] = tuple(NEGATIVE_STRATEGIES), eval_pairs: int | None = None) -> LessonResult:
    """Train one short run per kind of negative from `base` (fresh NSP head each), score all on all kinds.

    cfg defaults to LESSON_CONFIG and eval_pairs to EVAL_PAIRS. Nothing is saved as a model: each run lives
    in a temporary folder that is removed afterwards.
    """
    cfg = (cfg or LESSON_CONFIG).validate()
    eval_pairs = eval_pairs or EVAL_PAIRS
    split = split_held_out(documents)
    for kind in NEGATIVE_STRATEGIES:
        check_strategy(split.held_out, kind)
        check_strategy(split.train, kind)
    eval_sets = {kind: draw_pairs(split.held_out, kind, eval_pairs, EVAL_SEED) for kind in NEGATIVE_STRATEGIES}
    total = cfg.steps * len(strategies)
    runs = []
    for index, negatives in enumerate(strategies):
        model, tokenizer, _ = load_for_pretraining(base)
        torch.manual_seed(cfg.seed)
        model.cls.seq_relationship.reset_parameters()  # a fresh NSP head: what it learns comes from this run

        def progress(p: Progress, index=index, negatives=negatives) -> None:
            if report:
                report(Progress(index * cfg.steps + p.step, total, p.metrics,
                                f"run {index + 1} of {len(strategies)}, {KIND_NAMES[negatives]} negatives: "
                                f"step {p.step}/{cfg.steps}"))

        started = time.time()
        with tempfile.TemporaryDirectory(prefix="bert-explorer-lesson-") as folder:
            result = pretrain(model, split.train, folder, replace(cfg, negatives=negatives),
                              tokenizer, progress, resume=False)
        auc, accuracy = score_kinds(model, tokenizer, eval_sets, cfg.max_seq_len)
        runs.append(LessonRun(negatives, time.time() - started, result.history, auc, accuracy))
        del model
    return LessonResult(base, cfg.steps, eval_pairs, split.held_out_is_unseen, tuple(runs))


def auc_figure(result: LessonResult):
    """The lesson's table as a heatmap: rows trained with, columns scored on, cells ROC AUC (0.5 = chance)."""
    import plotly.graph_objects as go

    kinds = list(NEGATIVE_STRATEGIES)
    z = [[run.auc[kind] for kind in kinds] for run in result.runs]
    rows = [f"trained with {KIND_NAMES[run.negatives]}" for run in result.runs]
    fig = go.Figure(go.Heatmap(
        z=z, x=[f"scored on {KIND_NAMES[k]}" for k in kinds], y=rows, zmin=0.5, zmax=1.0, colorscale="Blues",
        text=[[f"{v:.2f}" for v in row] for row in z], texttemplate="%{text}", colorbar={"title": "ROC AUC"},
        hovertemplate="%{y}, %{x}: AUC %{z:.3f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=300, margin={"t": 30, "b": 40, "l": 10, "r": 10},
                      title={"text": "How well each run tells consecutive pairs from each kind of negative",
                             "font": {"size": 14}})
    return fig
