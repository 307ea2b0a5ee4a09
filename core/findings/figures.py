"""Plotly figures of the finding cards; each takes a card's result and returns a figure, never running the model.

Plotly draws titles, labels and hover text as limited HTML, so every string that comes from outside this file (a
model name, a word, a relation, a statement) is escaped before it is drawn. Every builder draws its words in
`language` ("en" or "zh"); the numbers are the same.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from core.findings.clark import KIND_LABELS, PAPER_SEP_SHARE, ClarkResult
from core.findings.ethayarajh import EthayarajhResult
from core.findings.facts import RELATION_NAMES
from core.findings.head_stats import HeadStatsResult
from core.findings.lama import PAPER_P_AT_1, LamaResult
from core.findings.michel import KEEP_ACCURACY, PAPER_PRUNABLE, MichelResult
from core.findings.result import layer_name
from core.lib.i18n import Text, phrase
from core.model.layers import layer_axis

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd")
MARGIN = {"l": 10, "r": 10, "t": 60, "b": 10}
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0}
LEGEND_ABOVE = {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1}  # clear of slanted ticks


# The charts' own words. Texts with %{…} are plotly's hover templates: they are drawn as they are, never formatted.
WORDS = {
    "layer": Text("layer", "层"),
    "head": Text("head", "头"),
    "clark_head_hover": Text("head %{customdata}: %{y:.1%}", "头 %{customdata}：%{y:.1%}"),
    "clark_mean_hover": Text("mean of the heads: %{y:.1%}", "各头平均：%{y:.1%}"),
    "clark_paper": Text("paper: [SEP] > 50 % in BERT-base's middle layers", "论文：BERT-base 中间几层 [SEP] > 50 %"),
    "clark_title": Text("Where attention goes, {model} (shaded: the middle layers)",
                        "{model} 的注意力落在哪里（阴影：中间几层）"),
    "clark_y": Text("mean share of a token's attention", "一个词元的注意力的平均份额"),
    "contexts": Text("{word} ({contexts} contexts)", "{word}（{contexts} 个语境）"),
    "self_similarity": Text("self-similarity (mean over words)", "自相似度（各词平均）"),
    "baseline": Text("anisotropy baseline (random words)", "各向异性基线（随机词）"),
    "adjusted": Text("self-similarity − baseline", "自相似度 − 基线"),
    "ethayarajh_title": Text("How contextual are {model}'s word vectors? (lower = more context-specific)",
                             "{model} 的词向量有多依赖语境？（越低 = 越依赖具体语境）"),
    "ethayarajh_legend": Text("click a word to show its own curve:", "点击一个词，显示它自己的曲线："),
    "ethayarajh_y": Text("mean cosine similarity", "平均余弦相似度"),
    "accuracy": Text("MLM top-1 accuracy", "MLM top-1 准确率"),
    "michel_hover": Text("%{x:.0%} of heads pruned: accuracy %{y:.1%}", "剪掉 %{x:.0%} 的头：准确率 %{y:.1%}"),
    "michel_keep": Text("{keep:.0%} of the unpruned accuracy", "未剪枝准确率的 {keep:.0%}"),
    "michel_paper": Text("paper: {paper:.0%} of BERT's heads", "论文：BERT 的头可剪掉 {paper:.0%}"),
    "michel_title": Text("Pruning {model}'s heads in order of increasing importance",
                         "按重要性从低到高剪枝 {model} 的注意力头"),
    "michel_x": Text("share of heads pruned", "剪掉的头所占比例"),
    "michel_y": Text("MLM top-1 accuracy ({masked} masked tokens)", "MLM top-1 准确率（{masked} 个被掩码的词元）"),
    "importance_title": Text("Head importance |∂ MLM loss / ∂ head gate|, normalised per layer",
                             "头的重要性 |∂ MLM 损失 / ∂ 头门控|，按层归一化"),
    "importance": Text("importance", "重要性"),
    "stats_title": Text("{label}, {model}, mean over {inputs} pairs", "{label}，{model}，{inputs} 个句对上的平均值"),
    "relation": Text("{relation} ({facts})", "{relation}（{facts}）"),
    "all_facts": Text("all ({facts})", "全部（{facts}）"),
    "lama_paper": Text("paper: BERT-large P@1 on T-REx", "论文：BERT-large 在 T-REx 上的 P@1"),
    "lama_title": Text("Facts {model}'s MLM head recalls, per relation (facts in brackets)",
                       "{model} 的 MLM 头回忆出的事实，按关系分组（括号内为事实数）"),
    "lama_y": Text("share of facts", "事实所占比例"),
}


def _word(name: str, language: str, **values) -> str:
    """One of the charts' words in `language`, with `values` (already escaped where they come from outside) put in."""
    return phrase(WORDS, name, language, **values)


def _safe(text: str) -> str:
    return html.escape(str(text))


def _attention_layer_ticks(num_layers: int, language: str) -> dict:
    """An axis over attention indices 0 … N−1, ticked with their layers' names (layer 1 … layer N)."""
    return {"tickmode": "array", "tickvals": list(range(num_layers)),
            "ticktext": [layer_name(i + 1).in_(language) for i in range(num_layers)]}


def _hidden_layer_axis(num_layers: int, language: str) -> dict:
    """core/model/layers.layer_axis (hidden states 0 … N), its title and tick labels in `language`."""
    return {**layer_axis(num_layers), "title": _word("layer", language),
            "ticktext": [layer_name(k).in_(language) for k in range(num_layers + 1)]}


def clark_figure(result: ClarkResult, language: str = "en") -> go.Figure:
    """Mean attention to each kind of token per layer (lines), every head as a dot; the middle layers shaded."""
    fig = go.Figure()
    num_layers, num_heads = result.shares.shape[1:]
    layers = np.repeat(np.arange(num_layers), num_heads)
    comma = "，" if language == "zh" else ", "
    for k, kind in enumerate(result.kinds):
        color, label = COLORS[k % len(COLORS)], _safe(KIND_LABELS[kind].in_(language))
        fig.add_trace(go.Scatter(x=layers, y=result.shares[k].ravel(), mode="markers", showlegend=False,
                                 marker={"color": color, "size": 6, "opacity": 0.35}, legendgroup=kind,
                                 customdata=np.tile(np.arange(num_heads), num_layers),
                                 hovertemplate=f"{label}{comma}{_word('clark_head_hover', language)}<extra></extra>"))
        fig.add_trace(go.Scatter(x=list(range(num_layers)), y=result.layer_means()[k], mode="lines+markers",
                                 name=label, line={"color": color, "width": 3}, legendgroup=kind,
                                 hovertemplate=f"{label}{comma}{_word('clark_mean_hover', language)}<extra></extra>"))
    middle = [n - 1 for n in result.middle_layers]
    fig.add_vrect(x0=middle[0] - 0.4, x1=middle[-1] + 0.4, fillcolor="#999", opacity=0.12, line_width=0)
    fig.add_hline(y=PAPER_SEP_SHARE, line={"dash": "dash", "color": COLORS[0]},
                  annotation_text=_word("clark_paper", language), annotation_position="bottom right")
    fig.update_layout(title=_word("clark_title", language, model=_safe(result.model_name)),
                      height=480, margin=MARGIN, legend=LEGEND_BELOW,
                      xaxis={"title": _word("layer", language), "range": [-0.5, num_layers - 0.5],
                             **_attention_layer_ticks(num_layers, language)},
                      yaxis={"title": _word("clark_y", language), "tickformat": ".0%", "range": [0, 1.02]})
    return fig


def ethayarajh_figure(result: EthayarajhResult, language: str = "en") -> go.Figure:
    """Self-similarity, anisotropy baseline and their difference per hidden state; each word's curve on request."""
    fig = go.Figure()
    x = list(range(len(result.layers)))
    colon = "：" if language == "zh" else ": "
    for word in result.words:
        name = _word("contexts", language, word=_safe(word.word), contexts=word.contexts)
        fig.add_trace(go.Scatter(x=x, y=word.self_similarity, mode="lines", name=_safe(word.word), visible="legendonly",
                                 line={"width": 1, "dash": "dot"},
                                 hovertemplate=f"{name}{colon}%{{y:.3f}}<extra></extra>"))
    for values, key, color in ((result.self_similarity, "self_similarity", COLORS[0]),
                               (result.baseline, "baseline", COLORS[1]), (result.adjusted, "adjusted", COLORS[2])):
        name = _word(key, language)
        fig.add_trace(go.Scatter(x=x, y=values, mode="lines+markers", name=name, line={"color": color, "width": 3},
                                 hovertemplate=f"{name}{colon}%{{y:.3f}}<extra></extra>"))
    fig.update_layout(title=_word("ethayarajh_title", language, model=_safe(result.model_name)),
                      height=500, margin=MARGIN, xaxis=_hidden_layer_axis(len(result.layers) - 1, language),
                      legend={**LEGEND_BELOW, "title": {"text": _word("ethayarajh_legend", language), "side": "top"}},
                      yaxis={"title": _word("ethayarajh_y", language)})
    return fig


def michel_figure(result: MichelResult, language: str = "en") -> go.Figure:
    """MLM accuracy as heads are pruned, least important first; the 90 % line and the paper's 40 %."""
    fig = go.Figure(go.Scatter(x=result.pruned_shares, y=result.accuracy, mode="lines+markers",
                               name=_word("accuracy", language), line={"color": COLORS[0], "width": 3},
                               hovertemplate=f"{_word('michel_hover', language)}<extra></extra>"))
    fig.add_hline(y=KEEP_ACCURACY * result.accuracy[0], line={"dash": "dash", "color": "#555"},
                  annotation_text=_word("michel_keep", language, keep=KEEP_ACCURACY), annotation_position="bottom left")
    fig.add_vline(x=PAPER_PRUNABLE, line={"dash": "dot", "color": COLORS[1]},
                  annotation_text=_word("michel_paper", language, paper=PAPER_PRUNABLE), annotation_position="top right")
    fig.update_layout(title=_word("michel_title", language, model=_safe(result.model_name)),
                      height=440, margin=MARGIN, showlegend=False,
                      xaxis={"title": _word("michel_x", language), "tickformat": ".0%", "range": [-0.02, 0.92]},
                      yaxis={"title": _word("michel_y", language, masked=result.masked_tokens), "tickformat": ".0%",
                             "rangemode": "tozero"})
    return fig


def head_grid_figure(values: np.ndarray, title: str, colorbar: str, fmt: str = ".2f", language: str = "en") -> go.Figure:
    """A layers × heads heat map of one number per head, each cell labelled. values: (layers, heads)"""
    layers, heads = values.shape
    head = _word("head", language)
    fig = go.Figure(go.Heatmap(z=values, x=list(range(heads)), y=list(range(layers)), colorscale="Viridis",
                               text=np.vectorize(lambda v: format(v, fmt))(values), texttemplate="%{text}",
                               colorbar={"title": _safe(colorbar)},
                               hovertemplate=f"{head} %{{x}}: %{{z:{fmt}}}<extra></extra>"))
    fig.update_layout(title=_safe(title), height=max(320, 44 * layers + 150), margin=MARGIN,
                      xaxis={"title": head, "dtick": 1},
                      yaxis={"title": _word("layer", language), "autorange": "reversed",
                             **_attention_layer_ticks(layers, language)})
    return fig


def michel_importance_figure(result: MichelResult, language: str = "en") -> go.Figure:
    """Each head's importance, normalised per layer (what the pruning order reads)."""
    return head_grid_figure(result.normalized, _word("importance_title", language), _word("importance", language),
                            language=language)


def head_stats_figure(result: HeadStatsResult, key: str, language: str = "en") -> go.Figure:
    """The chosen statistic for every layer and head, averaged over the corpus."""
    if key not in result.values:
        raise ValueError(f"unknown statistic {key!r}; choose one of {', '.join(result.values)}")
    label = result.labels[key][0].in_(language)
    title = _word("stats_title", language, label=f"{label[0].upper()}{label[1:]}", model=result.model_name,
                  inputs=result.inputs)
    return head_grid_figure(result.values[key], title, label, language=language)


def lama_figure(result: LamaResult, language: str = "en") -> go.Figure:
    """P@1 and P@10 per relation and over all facts, with the paper's T-REx P@1."""
    names = [_word("relation", language, relation=_safe(RELATION_NAMES[r.relation].in_(language)), facts=r.facts)
             for r in result.relations]
    names.append(_word("all_facts", language, facts=len(result.answers)))
    at_1 = [r.p_at_1 for r in result.relations] + [result.p_at_1]
    at_10 = [r.p_at_10 for r in result.relations] + [result.p_at_10]
    fig = go.Figure([go.Bar(x=names, y=at_1, name="P@1", marker_color=COLORS[0],
                            hovertemplate="%{x}: P@1 %{y:.0%}<extra></extra>"),
                     go.Bar(x=names, y=at_10, name="P@10", marker_color=COLORS[2],
                            hovertemplate="%{x}: P@10 %{y:.0%}<extra></extra>")])
    fig.add_hline(y=PAPER_P_AT_1, line={"dash": "dash", "color": COLORS[1]},
                  annotation_text=_word("lama_paper", language), annotation_position="top left")
    fig.update_layout(title=_word("lama_title", language, model=_safe(result.model_name)),
                      barmode="group", height=460, margin=MARGIN, legend=LEGEND_ABOVE,
                      xaxis={"tickangle": -30},
                      yaxis={"title": _word("lama_y", language), "tickformat": ".0%", "range": [0, 1.05]})
    return fig
