"""Card "clark": where BERT's attention goes — Clark, Khandelwal, Levy & Manning (2019), "What does BERT look at?".

Clark et al. averaged, per layer and head, the share of each token's attention that lands on [SEP], on [CLS], on
punctuation, on the previous and on the next token, over BERT-base reading [CLS] A [SEP] B [SEP]. Over half of
the attention of layers 6–10 went to [SEP]; a few heads put most of their attention on the previous or the next
token. Here the same shares come from one pass over the corpus pairs (core/findings/passes.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.findings.passes import CorpusPass, corpus_pass
from core.findings.result import Card, Paper, Progress, Table, Verdict, layer_span, middle_layers, percent
from core.model.layers import attention_layer_label
from core.model.loading import LoadedModel

# The kinds of token the card measures attention to, as maps.STATISTICS keys, in the order the figure draws them.
KINDS = ("sep", "cls", "punctuation", "previous", "next")
KIND_LABELS = {"sep": "[SEP]", "cls": "[CLS]", "punctuation": "punctuation", "previous": "previous token",
               "next": "next token"}
# Heads listed per direction as the most specialised to the previous / next token.
TOP_HEADS = 3
# The paper's finding for the middle layers: more than this share of attention on [SEP].
PAPER_SEP_SHARE = 0.5

CARD = Card(
    key="clark",
    name="Attention targets (Clark)",
    title="Where attention goes: [SEP], [CLS], punctuation, neighbours",
    paper=Paper("Clark, Khandelwal, Levy & Manning", 2019, "What Does BERT Look At? An Analysis of BERT's Attention",
                "BlackboxNLP"),
    claim="BERT's heads attend heavily to a few tokens: over half of the attention in BERT-base's layers 6–10 goes to "
          "[SEP], much of the early layers' to [CLS] and punctuation, and some heads specialise in the previous or "
          "the next token (four heads put over 50 % on the previous token, five on the next).",
    figure="Figure 2: mean attention to [CLS], [SEP] and “. or ,” per layer and head — the [SEP] share rises above "
           "50 % in layers 6–10 of 12.",
)


@dataclass(frozen=True)
class HeadShare:
    layer: int  # attention index: 0 = layer 1 (core/model/layers.py)
    head: int
    share: float  # mean share of each token's attention on that kind of token


@dataclass(frozen=True)
class ClarkResult:
    card: Card
    model_name: str
    inputs: int  # corpus pairs averaged over
    kinds: tuple[str, ...]  # (kinds,) maps.STATISTICS keys
    shares: np.ndarray  # (kinds, layers, heads) mean share of attention to each kind of token
    middle_layers: list[int]  # layer numbers (1 … N) whose [SEP] share the verdict reads
    middle_sep_share: float  # mean [SEP] share over those layers and all their heads
    middle_shares: dict[str, float]  # kind -> its mean share over those layers and heads
    top_heads: dict[str, list[HeadShare]]  # "previous" / "next" -> the TOP_HEADS most specialised heads
    measured: str
    verdict: Verdict
    table: Table

    def layer_means(self) -> np.ndarray:
        """The share of each kind per layer, averaged over the heads. (kinds, layers)"""
        return self.shares.mean(axis=-1)


def _top_heads(values: np.ndarray) -> list[HeadShare]:
    """The TOP_HEADS heads with the largest values of a (layers, heads) grid, largest first."""
    order = np.argsort(-values, axis=None, kind="stable")[:TOP_HEADS]
    return [HeadShare(int(i // values.shape[1]), int(i % values.shape[1]), float(values.flat[i])) for i in order]


def _head_name(head: HeadShare) -> str:
    return f"{attention_layer_label(head.layer)} head {head.head} ({percent(head.share)})"


def _table(shares: np.ndarray) -> Table:
    layers, heads = shares.shape[1:]
    rows = [(attention_layer_label(layer), head, *(float(shares[k, layer, head]) for k in range(len(KINDS))))
            for layer in range(layers) for head in range(heads)]
    return Table(("layer", "head", *(f"share to {KIND_LABELS[k]}" for k in KINDS)), rows)


def clark_from(passed: CorpusPass) -> ClarkResult:
    """The card's numbers from a corpus pass: mean shares per kind, layer and head. shares: (kinds, layers, heads)"""
    shares = np.stack([passed.statistics[k].mean(axis=0) for k in KINDS]).astype(np.float32)
    middle = middle_layers(passed.num_layers)
    in_middle = {kind: float(shares[k, [n - 1 for n in middle]].mean()) for k, kind in enumerate(KINDS)}
    sep, most = in_middle["sep"], max(in_middle, key=in_middle.get)
    top = {kind: _top_heads(shares[KINDS.index(kind)]) for kind in ("previous", "next")}
    measured = (f"{percent(sep)} of attention goes to [SEP] in the middle {layer_span(middle)} of {passed.num_layers}"
                + ("" if most == "sep" else f" (most goes to {KIND_LABELS[most]}: {percent(in_middle[most])})")
                + f"; most previous-token head: {_head_name(top['previous'][0])}, next-token: {_head_name(top['next'][0])}.")
    verdict = Verdict.of(sep > PAPER_SEP_SHARE, f"the middle layers put {percent(sep)} on [SEP], "
                         f"{'over' if sep > PAPER_SEP_SHARE else 'not over'} the paper's 50 %"
                         + ("" if most == "sep" else f" ({KIND_LABELS[most]} gets {percent(in_middle[most])})"))
    return ClarkResult(CARD, passed.model_name, len(passed.statistics["sep"]), KINDS, shares, middle, sep, in_middle, top,
                       measured, verdict, _table(shares))


def clark(loaded: LoadedModel, on_progress: Progress = None) -> ClarkResult:
    """Clark et al.'s attention shares on the loaded model, over the corpus pairs. shares: (kinds, layers, heads)"""
    return clark_from(corpus_pass(loaded, on_progress))
