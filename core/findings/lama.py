"""Card "lama": does the MLM head know facts? A LAMA-style probe — Petroni et al. (2019), "Language Models as
Knowledge Bases?".

Each fact of core/findings/facts.py is a statement with one [MASK] (“The capital of France is [MASK].”); the
model's own MLM head ranks the vocabulary there. P@1 = the answer is its first guess, P@10 = among its ten
first; per relation and over all facts. Facts whose answer is not one word-piece of the loaded model's
vocabulary are left out (and counted), as LAMA leaves out answers a model's vocabulary cannot spell in one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.findings.facts import FACTS, RELATION_NAMES, Fact
from core.findings.result import Card, OnProgress, Paper, Table, Verdict
from core.lib.i18n import Text
from core.mlm.fill_mask import fill_mask_batch
from core.model import loading as models
from core.model.capabilities import Head, require_head
from core.render import percent

TOP_K = 10  # P@10
BATCH_SIZE = 16
# The paper's P@1 of BERT-large on T-REx (Table 2); the verdict asks for at least this share of it.
PAPER_P_AT_1 = 0.323
SHARE_OF_PAPER = 0.75

CARD = Card(
    key="lama",
    name=Text("Facts (LAMA)", "事实知识（LAMA）"),
    title=Text("Facts in the MLM head: a LAMA-style knowledge probe", "MLM 头里的事实：LAMA 式知识探测"),
    paper=Paper("Petroni, Rocktäschel, Lewis, Bakhtin, Wu, Miller & Riedel", 2019,
                "Language Models as Knowledge Bases?", "EMNLP"),
    claim=Text("Without fine-tuning, BERT-large recalls relational facts from cloze statements about as well as a "
               "knowledge base extracted by a supervised system: its first guess is right for about a third of T-REx "
               "facts. The facts here are a few dozen hand-written ones, not LAMA's sets, so only the order of "
               "magnitude compares.",
               "不经微调，BERT-large 从完形填空式的陈述中回忆关系事实的能力，与有监督系统抽取出的知识库大致相当："
               "对大约三分之一的 T-REx 事实，它的第一个猜测就是对的。这里的事实是几十条手写的句子，而不是 LAMA "
               "的数据集，所以只能比较数量级。"),
    figure=Text("Table 2: mean P@1 of BERT-large — T-REx 32.3 %, ConceptNet 19.2 %, SQuAD 17.4 %, Google-RE 10.5 % "
                "(BERT-base: 31.1, 15.6, 14.1, 9.8 %).",
                "表 2：BERT-large 的平均 P@1——T-REx 32.3 %，ConceptNet 19.2 %，SQuAD 17.4 %，Google-RE 10.5 %"
                "（BERT-base：31.1、15.6、14.1、9.8 %）。"),
)
# The measured line and the verdict, filled from the same numbers in both languages.
MEASURED = Text("P@1 {p_at_1}, P@10 {p_at_10} over {facts} facts ({skipped} left out); best relation: {best} "
                "(P@1 {best_p_at_1}).",
                "在 {facts} 条事实上 P@1 为 {p_at_1}，P@10 为 {p_at_10}（略去 {skipped} 条）；最好的关系：{best}"
                "（P@1 {best_p_at_1}）。")
VERDICT = Text("P@1 {p_at_1} against BERT-large's {paper} on T-REx ({compared}; a different, small, hand-written set)",
               "P@1 为 {p_at_1}，而 BERT-large 在 T-REx 上为 {paper}（{compared}；这里是另一套很小的手写事实）")
COMPARABLE, FAR_LOWER = Text("comparable", "相当"), Text("far lower", "低得多")


@dataclass(frozen=True)
class FactAnswer:
    fact: Fact
    predictions: list[str]  # (TOP_K,) the head's first guesses, best first
    rank: int | None  # 1-based rank of the answer among them; None when it is not in the top TOP_K


@dataclass(frozen=True)
class RelationScore:
    relation: str
    facts: int
    p_at_1: float
    p_at_10: float


@dataclass(frozen=True)
class LamaResult:
    card: Card
    model_name: str
    answers: list[FactAnswer]  # (facts,) the facts the model's vocabulary spells in one piece
    skipped: int  # facts left out: the answer is more than one piece here
    relations: list[RelationScore]  # (relations,) in FACTS' order
    p_at_1: float  # over all facts answered
    p_at_10: float
    measured: Text
    verdict: Verdict
    table: Table


def _single_piece(loaded: models.LoadedModel, answer: str) -> bool:
    ids = loaded.tokenizer(answer, add_special_tokens=False)["input_ids"]
    return len(ids) == 1 and ids[0] != loaded.tokenizer.unk_token_id


def _answers(loaded: models.LoadedModel, facts: list[Fact], on_progress: OnProgress) -> list[FactAnswer]:
    answers = []
    for start in range(0, len(facts), BATCH_SIZE):
        chunk = facts[start:start + BATCH_SIZE]
        for fact, result in zip(chunk, fill_mask_batch(loaded, [f.text for f in chunk], TOP_K)):
            guesses = [p.token for p in result.masks[0].predictions]
            rank = guesses.index(fact.answer) + 1 if fact.answer in guesses else None
            answers.append(FactAnswer(fact, guesses, rank))
        if on_progress:
            on_progress(len(answers), len(facts))
    return answers


def _score(relation: str, answers: list[FactAnswer]) -> RelationScore:
    ranks = [a.rank for a in answers]
    return RelationScore(relation, len(answers), float(np.mean([r == 1 for r in ranks])),
                         float(np.mean([r is not None for r in ranks])))


def _table(answers: list[FactAnswer]) -> Table:
    rows = [(a.fact.relation, a.fact.text, a.fact.answer, a.predictions[0], a.rank, int(a.rank == 1),
             int(a.rank is not None), " ".join(a.predictions)) for a in answers]
    return Table(("relation", "statement", "answer", "first guess", f"rank (1–{TOP_K})", "P@1", f"P@{TOP_K}",
                  f"top {TOP_K}"), rows)


def lama(loaded: models.LoadedModel, on_progress: OnProgress = None) -> LamaResult:
    """P@1 and P@10 of the MLM head on the hand-written facts, per relation and overall."""
    require_head(loaded, Head.MLM)
    facts = [f for f in FACTS if _single_piece(loaded, f.answer)]
    if not facts:
        raise ValueError(f"no answer of the facts is a single word-piece of {loaded.name!r}'s vocabulary; "
                         "a model with an English WordPiece vocabulary (bundled, bert-base-uncased) can run this card")
    answers = _answers(loaded, facts, on_progress)
    relations = [_score(r, [a for a in answers if a.fact.relation == r]) for r in dict.fromkeys(f.relation for f in facts)]
    overall = _score("all", answers)
    enough = overall.p_at_1 >= SHARE_OF_PAPER * PAPER_P_AT_1
    best = max(relations, key=lambda r: r.p_at_1)
    measured = MEASURED.format(p_at_1=percent(overall.p_at_1), p_at_10=percent(overall.p_at_10), facts=len(answers),
                               skipped=len(FACTS) - len(facts), best=RELATION_NAMES[best.relation], best_p_at_1=percent(best.p_at_1))
    verdict = Verdict.of(enough, VERDICT.format(p_at_1=percent(overall.p_at_1), paper=percent(PAPER_P_AT_1),
                                                compared=COMPARABLE if enough else FAR_LOWER))
    return LamaResult(CARD, loaded.name, answers, len(FACTS) - len(facts), relations, overall.p_at_1,
                      overall.p_at_10, measured, verdict, _table(answers))
