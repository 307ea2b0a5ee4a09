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
from core.findings.result import Card, OnProgress, Paper, Table, Verdict, layer_name, layer_span, middle_layers
from core.lib.i18n import NOTHING, Text
from core.model.layers import attention_layer_label
from core.model.loading import LoadedModel
from core.render import percent

# The kinds of token the card measures attention to, as maps.STATISTICS keys, in the order the figure draws them.
KINDS = ("sep", "cls", "punctuation", "previous", "next")
KIND_LABELS = {"sep": Text("[SEP]", "[SEP]"), "cls": Text("[CLS]", "[CLS]"), "punctuation": Text("punctuation", "标点"),
               "previous": Text("previous token", "前一个词元"), "next": Text("next token", "后一个词元")}
# Heads listed per direction as the most specialised to the previous / next token.
TOP_HEADS = 3
# The paper's finding for the middle layers: more than this share of attention on [SEP].
PAPER_SEP_SHARE = 0.5
# The head statistics card reads the same paper (its section 3.4).
PAPER = Paper("Clark, Khandelwal, Levy & Manning", 2019, "What Does BERT Look At? An Analysis of BERT's Attention",
              "BlackboxNLP")

CARD = Card(
    key="clark",
    name=Text("Attention targets (Clark)", "注意力去向（Clark）"),
    title=Text("Where attention goes: [SEP], [CLS], punctuation, neighbours",
               "注意力落在哪里：[SEP]、[CLS]、标点和相邻词元"),
    paper=PAPER,
    claim=Text("BERT's heads attend heavily to a few tokens: over half of the attention in BERT-base's layers 6–10 goes "
               "to [SEP], much of the early layers' to [CLS] and punctuation, and some heads specialise in the previous "
               "or the next token (four heads put over 50 % on the previous token, five on the next).",
               "BERT 的注意力头大量集中在少数几个词元上：BERT-base 第 6–10 层一半以上的注意力落在 [SEP] 上，前几层的"
               "注意力很多落在 [CLS] 和标点上；还有一些头专门关注前一个或后一个词元（四个头把 50 % 以上的注意力放在"
               "前一个词元上，五个头放在后一个词元上）。"),
    figure=Text("Figure 2: mean attention to [CLS], [SEP] and “. or ,” per layer and head — the [SEP] share rises above "
                "50 % in layers 6–10 of 12.",
                "图 2：每层每个头对 [CLS]、[SEP] 和“. 或 ,”的平均注意力——在 12 层中的第 6–10 层，[SEP] 的份额升到 "
                "50 % 以上。"),
)
# The measured line and the verdict, filled from the same numbers in both languages.
MEASURED = Text("{sep} of attention goes to [SEP] in the middle {span} of {layers}{most}; most previous-token head: "
                "{previous}, next-token: {next}.",
                "在 {layers} 层中居中的{span}，有 {sep} 的注意力落在 [SEP] 上{most}；最偏向前一个词元的头：{previous}，"
                "最偏向后一个词元的头：{next}。")
MEASURED_MOST = Text(" (most goes to {kind}: {share})", "（份额最大的是{kind}：{share}）")
HEAD_NAME = Text("{layer} head {head} ({share})", "{layer}的头 {head}（{share}）")
VERDICT = Text("the middle layers put {sep} on [SEP], {over} the paper's 50 %{most}",
               "中间几层放在 [SEP] 上的注意力是 {sep}，{over}论文的 50 %{most}")
VERDICT_MOST = Text(" ({kind} gets {share})", "（{kind}占 {share}）")
OVER, NOT_OVER = Text("over", "高于"), Text("not over", "没有高于")


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
    measured: Text
    verdict: Verdict
    table: Table

    def layer_means(self) -> np.ndarray:
        """The share of each kind per layer, averaged over the heads. (kinds, layers)"""
        return self.shares.mean(axis=-1)


def _top_heads(values: np.ndarray) -> list[HeadShare]:
    """The TOP_HEADS heads with the largest values of a (layers, heads) grid, largest first."""
    order = np.argsort(-values, axis=None, kind="stable")[:TOP_HEADS]
    return [HeadShare(int(i // values.shape[1]), int(i % values.shape[1]), float(values.flat[i])) for i in order]


def _head_name(head: HeadShare) -> Text:
    return HEAD_NAME.format(layer=layer_name(head.layer + 1), head=head.head, share=percent(head.share))


def _table(shares: np.ndarray) -> Table:
    layers, heads = shares.shape[1:]
    rows = [(attention_layer_label(layer), head, *(float(shares[k, layer, head]) for k in range(len(KINDS))))
            for layer in range(layers) for head in range(heads)]
    return Table(("layer", "head", *(f"share to {KIND_LABELS[k].en}" for k in KINDS)), rows)


def clark_from(passed: CorpusPass) -> ClarkResult:
    """The card's numbers from a corpus pass: mean shares per kind, layer and head. shares: (kinds, layers, heads)"""
    shares = np.stack([passed.statistics[k].mean(axis=0) for k in KINDS]).astype(np.float32)
    middle = middle_layers(passed.num_layers)
    in_middle = {kind: float(shares[k, [n - 1 for n in middle]].mean()) for k, kind in enumerate(KINDS)}
    sep, most = in_middle["sep"], max(in_middle, key=in_middle.get)
    top = {kind: _top_heads(shares[KINDS.index(kind)]) for kind in ("previous", "next")}
    most_part = {"kind": KIND_LABELS[most], "share": percent(in_middle[most])}
    measured = MEASURED.format(sep=percent(sep), span=layer_span(middle), layers=passed.num_layers,
                               most=NOTHING if most == "sep" else MEASURED_MOST.format(**most_part),
                               previous=_head_name(top["previous"][0]), next=_head_name(top["next"][0]))
    verdict = Verdict.of(sep > PAPER_SEP_SHARE, VERDICT.format(
        sep=percent(sep), over=OVER if sep > PAPER_SEP_SHARE else NOT_OVER,
        most=NOTHING if most == "sep" else VERDICT_MOST.format(**most_part)))
    return ClarkResult(CARD, passed.model_name, len(passed.statistics["sep"]), KINDS, shares, middle, sep, in_middle, top,
                       measured, verdict, _table(shares))


def clark(loaded: LoadedModel, on_progress: OnProgress = None) -> ClarkResult:
    """Clark et al.'s attention shares on the loaded model, over the corpus pairs. shares: (kinds, layers, heads)"""
    return clark_from(corpus_pass(loaded, on_progress))
