"""Card "head_stats": corpus-level statistics of every head as a layers × heads grid (what exBERT, Dodrio and
AttentionViz users look for), set against Clark et al. (2019) §3.4: heads in the lower layers attend broadly.

The statistics are those of the Attention page (core/attention/maps.py: entropy, distance, shares to special
tokens, punctuation, neighbours, self), averaged over the corpus pairs of the one pass clark reads too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.attention import maps
from core.findings.passes import CorpusPass, corpus_pass
from core.findings.result import Card, Paper, Progress, Table, Verdict, halves, layer_span
from core.model.layers import attention_layer_label
from core.model.loading import LoadedModel

# The statistics the card offers, in the chooser's order: maps.STATISTICS keys, plus "special" = [CLS] + [SEP].
STATISTICS = ("entropy", "distance", "special", "previous", "next", "self", "cls", "sep", "punctuation")
SPECIAL = ("attention to special tokens", "mean share of each row on [CLS] and [SEP] together")

CARD = Card(
    key="head_stats",
    name="Head statistics",
    title="Head statistics over a corpus: entropy, distance, special tokens, neighbours",
    paper=Paper("Clark, Khandelwal, Levy & Manning", 2019, "What Does BERT Look At? An Analysis of BERT's Attention",
                "BlackboxNLP"),
    claim="Some attention heads, especially in the lower layers, attend very broadly (high entropy, at most 10 % on "
          "any single word): their output is roughly a bag of the sentence's vectors.",
    figure="Figure 4: entropy of each head's attention per layer — the broadest heads are in the lowest layers.",
)


@dataclass(frozen=True)
class HeadStatsResult:
    card: Card
    model_name: str
    inputs: int  # corpus pairs averaged over
    values: dict[str, np.ndarray]  # STATISTICS key -> (layers, heads), mean over the corpus pairs
    labels: dict[str, tuple[str, str]]  # STATISTICS key -> (label, what it measures)
    layer_entropy: np.ndarray  # (layers,) mean entropy (bits) of each layer's heads
    broadest_layer: int  # layer number (1 … N) with the highest mean entropy
    measured: str
    verdict: Verdict
    table: Table


def _table(values: dict[str, np.ndarray]) -> Table:
    layers, heads = values["entropy"].shape
    rows = [(attention_layer_label(layer), head, *(float(values[k][layer, head]) for k in STATISTICS))
            for layer in range(layers) for head in range(heads)]
    return Table(("layer", "head", *STATISTICS), rows)


def head_stats_from(passed: CorpusPass) -> HeadStatsResult:
    """Every statistic per head from a corpus pass, and whether the broadest attention is in the lower layers."""
    means = {key: passed.statistics[key].mean(axis=0).astype(np.float32) for key in maps.STATISTICS}
    values = {key: means["cls"] + means["sep"] if key == "special" else means[key] for key in STATISTICS}
    labels = {key: SPECIAL if key == "special" else maps.STATISTICS[key] for key in STATISTICS}
    layer_entropy = values["entropy"].mean(axis=1)
    broadest = int(np.argmax(layer_entropy)) + 1
    lower, _ = halves(passed.num_layers)
    measured = (f"The broadest attention is in layer {broadest} of {passed.num_layers} (mean entropy "
                f"{layer_entropy[broadest - 1]:.2f} bits; layer means {', '.join(f'{e:.2f}' for e in layer_entropy)}).")
    verdict = Verdict.of(broadest in lower, f"the highest mean entropy is in layer {broadest}, "
                         f"{'in' if broadest in lower else 'not in'} the lower half ({layer_span(lower)})")
    return HeadStatsResult(CARD, passed.model_name, len(passed.statistics["entropy"]), values, labels, layer_entropy,
                           broadest, measured, verdict, _table(values))


def head_stats(loaded: LoadedModel, on_progress: Progress = None) -> HeadStatsResult:
    """Corpus-level per-head statistics on the loaded model. values: key -> (layers, heads)"""
    return head_stats_from(corpus_pass(loaded, on_progress))
