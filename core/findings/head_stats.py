"""Card "head_stats": corpus-level statistics of every head as a layers × heads grid (what exBERT, Dodrio and
AttentionViz users look for), set against Clark et al. (2019) §3.4: heads in the lower layers attend broadly.

The statistics are those of the Attention page (core/attention/maps.py: entropy, distance, shares to special
tokens, punctuation, neighbours, self), averaged over the corpus pairs of the one pass clark reads too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.attention import maps
from core.findings import clark
from core.findings.passes import CorpusPass, corpus_pass
from core.findings.result import Card, OnProgress, Table, Verdict, halves, layer_span
from core.lib.i18n import Text
from core.model.layers import attention_layer_label
from core.model.loading import LoadedModel

# The statistics the card offers, in the chooser's order: maps.STATISTICS keys, plus "special" = [CLS] + [SEP].
STATISTICS = ("entropy", "distance", "special", "previous", "next", "self", "cls", "sep", "punctuation")
SPECIAL = ("attention to special tokens", "mean share of each row on [CLS] and [SEP] together")
# Each statistic's (label, what it measures) in Chinese; the English ones are the Attention page's (maps.STATISTICS).
STATISTICS_ZH = {
    "entropy": ("熵（比特）", "一行注意力分布得有多散：0 = 全在一个词元上，log2(seq) = 均匀分布"),
    "distance": ("注意力距离（词元数）", "按每行的权重平均的 |i − j|：一个头看得有多远"),
    "special": ("对特殊词元的注意力", "每行落在 [CLS] 和 [SEP] 上的份额之和的平均"),
    "previous": ("对前一个词元的注意力", "落在紧挨着的前一个词元上的平均份额（i → i−1）"),
    "next": ("对后一个词元的注意力", "落在紧挨着的后一个词元上的平均份额（i → i+1）"),
    "self": ("对自身的注意力", "一个词元留给自己的平均份额（对角线）"),
    "cls": ("对 [CLS] 的注意力", "每行落在第一个特殊词元（[CLS]）上的平均份额"),
    "sep": ("对 [SEP] 的注意力", "每行落在其余特殊词元（[SEP]）上的平均份额"),
    "punctuation": ("对标点的注意力", "每行落在标点词元（. , ? …）上的平均份额"),
}

CARD = Card(
    key="head_stats",
    name=Text("Head statistics", "注意力头统计"),
    title=Text("Head statistics over a corpus: entropy, distance, special tokens, neighbours",
               "语料上的注意力头统计：熵、距离、特殊词元、相邻词元"),
    paper=clark.PAPER,
    claim=Text("Some attention heads, especially in the lower layers, attend very broadly (high entropy, at most 10 % on "
               "any single word): their output is roughly a bag of the sentence's vectors.",
               "有些注意力头（尤其在下层）的注意力分布得很广（熵很高，落在任何单个词上的都不超过 10 %）：它们的输出"
               "大致是句子中各个向量的词袋。"),
    figure=Text("Figure 4: entropy of each head's attention per layer — the broadest heads are in the lowest layers.",
                "图 4：每层各个头的注意力熵——分布最广的头在最下面几层。"),
)
# The measured line and the verdict, filled from the same numbers in both languages.
MEASURED = Text("The broadest attention is in layer {broadest} of {layers} (mean entropy {entropy:.2f} bits; layer "
                "means {means}).",
                "在 {layers} 层中，注意力最分散的是第 {broadest} 层（平均熵 {entropy:.2f} 比特；各层平均：{means}）。")
VERDICT = Text("the highest mean entropy is in layer {broadest}, {in_lower} the lower half ({lower})",
               "平均熵最高的是第 {broadest} 层，{in_lower}下半部分（{lower}）")
IN, NOT_IN = Text("in", "在"), Text("not in", "不在")


def statistic_labels(key: str) -> tuple[Text, Text]:
    """A statistic's (label, what it measures) in both languages."""
    label, meaning = SPECIAL if key == "special" else maps.STATISTICS[key]
    label_zh, meaning_zh = STATISTICS_ZH[key]
    return Text(label, label_zh), Text(meaning, meaning_zh)


@dataclass(frozen=True)
class HeadStatsResult:
    card: Card
    model_name: str
    inputs: int  # corpus pairs averaged over
    values: dict[str, np.ndarray]  # STATISTICS key -> (layers, heads), mean over the corpus pairs
    labels: dict[str, tuple[Text, Text]]  # STATISTICS key -> (label, what it measures)
    layer_entropy: np.ndarray  # (layers,) mean entropy (bits) of each layer's heads
    broadest_layer: int  # layer number (1 … N) with the highest mean entropy
    measured: Text
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
    labels = {key: statistic_labels(key) for key in STATISTICS}
    layer_entropy = values["entropy"].mean(axis=1)
    broadest = int(np.argmax(layer_entropy)) + 1
    lower, _ = halves(passed.num_layers)
    measured = MEASURED.format(broadest=broadest, layers=passed.num_layers, entropy=layer_entropy[broadest - 1],
                               means=Text(*(sep.join(f"{e:.2f}" for e in layer_entropy) for sep in (", ", "、"))))
    verdict = Verdict.of(broadest in lower, VERDICT.format(broadest=broadest, in_lower=IN if broadest in lower else NOT_IN,
                                                           lower=layer_span(lower)))
    return HeadStatsResult(CARD, passed.model_name, len(passed.statistics["entropy"]), values, labels, layer_entropy,
                           broadest, measured, verdict, _table(values))


def head_stats(loaded: LoadedModel, on_progress: OnProgress = None) -> HeadStatsResult:
    """Corpus-level per-head statistics on the loaded model. values: key -> (layers, heads)"""
    return head_stats_from(corpus_pass(loaded, on_progress))
