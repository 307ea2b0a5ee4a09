"""Streamlit parts of the Findings page: computing a card with a progress bar, the paper's side, the result's side,
each in the page's language ("en" or "zh")."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.findings import figures, gallery
from core.findings.clark import KIND_LABELS
from core.findings.facts import RELATION_NAMES
from core.findings.result import Card, layer_name
from core.lib.i18n import Text, phrase
from core.model.loading import LoadedModel
from core.render import markdown_literal
from ui import charts
from ui.errors import user_errors
from ui.state import persistent

WORDS = {
    "title": Text("Findings: published BERT results, measured here", "研究发现：已发表的 BERT 结果，在这里实测"),
    "intro": Text(
        "Papers about BERT report what its attention heads look at, how contextual its vectors are, how many heads it "
        "needs and what facts it knows. Each card below repeats one of those measurements **live on the model in the "
        "sidebar**, over a small corpus written for this app ({pairs} everyday two-sentence texts and {facts} cloze "
        "facts) — so the numbers are this model's, on this corpus, set against the paper's own.",
        "关于 BERT 的论文报告了它的注意力头在看什么、它的向量有多依赖语境、它需要多少个头，以及它知道哪些事实。"
        "下面每张卡片都**在侧边栏选中的模型上现场**重做其中一项测量，所用的是为本应用编写的小语料（{pairs} 段"
        "日常的两句话短文和 {facts} 条完形填空式事实）——所以这些数字是这个模型在这份语料上的结果，与论文自己的"
        "数字对照。"),
    "finding": Text("Finding", "研究发现"),
    "only_chosen": Text("Only the chosen card is computed: once per model, then kept. Model: {model}.",
                        "只计算选中的卡片：每个模型算一次，之后保留结果。模型：{model}。"),
    "measuring": Text("Measuring on {model}…", "正在 {model} 上测量…"),
    "paper": Text("**The paper's claim.** {claim}\n\n**The paper's figure.** {figure}",
                  "**论文的结论。** {claim}\n\n**论文的图表。** {figure}"),
    "measured": Text("**Measured on {model}.** {measured}", "**在 {model} 上的测量结果。** {measured}"),
    "verdict": Text("**Verdict:** {verdict}", "**判定：** {verdict}"),
    "download": Text("Download {file}", "下载 {file}"),
    "statistic": Text("Statistic", "统计量"),
    "clark_heads": Text("Heads most specialised to the previous and the next token:", "最专注于前一个和后一个词元的头："),
    "lama_facts": Text("Every fact ({facts}) and the head's first guesses", "全部事实（{facts} 条）和 MLM 头的前几个猜测"),
}
# The details' table columns in Chinese (the English are the keys).
COLUMNS_ZH = {"token": "词元", "layer": "层", "head": "头", "share": "份额", "relation": "关系", "statement": "陈述",
              "answer": "答案", "rank": "名次", "first guesses": "前几个猜测"}


def word(name: str, language: str, **values) -> str:
    """One of the page's own words in `language`, with `values` put in."""
    return phrase(WORDS, name, language, **values)


def compute(loaded: LoadedModel, key: str, language: str):
    """The card's result on the model (computed once per model in the core), with a progress bar while it runs;
    None, with the message shown, when the model cannot run it (e.g. no MLM head)."""
    bar = st.progress(0.0, text=word("measuring", language, model=markdown_literal(loaded.name)))
    try:
        with user_errors():
            return gallery.finding(loaded, key, on_progress=lambda done, total: bar.progress(done / total))
        return None
    finally:
        bar.empty()


def paper_side(card: Card, language: str) -> None:
    """What the paper found, and the figure of the paper the measurement is set against."""
    st.subheader(card.title.in_(language))
    st.caption(card.paper.citation())
    st.markdown(word("paper", language, claim=card.claim.in_(language), figure=card.figure.in_(language)))


def measured_side(result, key: str, language: str) -> None:
    """The number measured here, the plot, the verdict and the CSV of every number."""
    st.markdown(word("measured", language, model=markdown_literal(result.model_name),
                     measured=markdown_literal(result.measured.in_(language))))
    figure = _statistic_figure(result, language) if key == "head_stats" else FIGURES[key](result, language)
    name = f"finding-{key}"
    charts.show(figure, lambda: gallery.finding_csv(result), name, word("download", language, file=f"{name}.csv"))
    (st.success if result.verdict.reproduced else st.warning)(
        word("verdict", language, verdict=markdown_literal(result.verdict.text.in_(language))))
    DETAILS.get(key, lambda *_: None)(result, language)


def _statistic_figure(result, language: str):
    labels = {key: label.in_(language) for key, (label, _) in result.labels.items()}
    options = list(result.values)
    key = st.selectbox(word("statistic", language), options, format_func=labels.get,
                       **persistent("findings_statistic", options[0], options))  # kept while another card is open
    st.caption(markdown_literal(result.labels[key][1].in_(language)))
    return figures.head_stats_figure(result, key, language)


def _table(rows: list[dict], language: str, **options) -> None:
    """A details table, its column names in `language`."""
    frame = pd.DataFrame(rows)
    st.dataframe(frame.rename(columns=COLUMNS_ZH) if language == "zh" else frame, hide_index=True, **options)


def _clark_details(result, language: str) -> None:
    rows = [{"token": KIND_LABELS[kind].in_(language), "layer": layer_name(h.layer + 1).in_(language), "head": h.head,
             "share": f"{h.share:.1%}"} for kind, heads in result.top_heads.items() for h in heads]
    st.markdown(word("clark_heads", language))
    _table(rows, language)


def _michel_details(result, language: str) -> None:
    st.plotly_chart(figures.michel_importance_figure(result, language), key="findings_importance")


def _lama_details(result, language: str) -> None:
    with st.expander(word("lama_facts", language, facts=len(result.answers))):
        _table([{"relation": RELATION_NAMES[a.fact.relation].in_(language), "statement": a.fact.text,
                 "answer": a.fact.answer, "rank": a.rank, "first guesses": ", ".join(a.predictions[:5])}
                for a in result.answers], language, width="stretch")


FIGURES = {"clark": figures.clark_figure, "ethayarajh": figures.ethayarajh_figure, "michel": figures.michel_figure,
           "lama": figures.lama_figure}
DETAILS = {"clark": _clark_details, "michel": _michel_details, "lama": _lama_details}
