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

from core.findings.facts import FACTS, Fact
from core.findings.result import Card, Paper, Progress, Table, Verdict, percent
from core.mlm.fill_mask import fill_mask_batch
from core.model import loading as models

TOP_K = 10  # P@10
BATCH_SIZE = 16
# The paper's P@1 of BERT-large on T-REx (Table 2); the verdict asks for at least this share of it.
PAPER_P_AT_1 = 0.323
SHARE_OF_PAPER = 0.75

CARD = Card(
    key="lama",
    name="Facts (LAMA)",
    title="Facts in the MLM head: a LAMA-style knowledge probe",
    paper=Paper("Petroni, Rocktäschel, Lewis, Bakhtin, Wu, Miller & Riedel", 2019,
                "Language Models as Knowledge Bases?", "EMNLP"),
    claim="Without fine-tuning, BERT-large recalls relational facts from cloze statements about as well as a "
          "knowledge base extracted by a supervised system: its first guess is right for about a third of T-REx "
          "facts. The facts here are a few dozen hand-written ones, not LAMA's sets, so only the order of "
          "magnitude compares.",
    figure="Table 2: mean P@1 of BERT-large — T-REx 32.3 %, ConceptNet 19.2 %, SQuAD 17.4 %, Google-RE 10.5 % "
           "(BERT-base: 31.1, 15.6, 14.1, 9.8 %).",
)


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
    measured: str
    verdict: Verdict
    table: Table


def _single_piece(loaded: models.LoadedModel, answer: str) -> bool:
    ids = loaded.tokenizer(answer, add_special_tokens=False)["input_ids"]
    return len(ids) == 1 and ids[0] != loaded.tokenizer.unk_token_id


def _answers(loaded: models.LoadedModel, facts: list[Fact], on_progress: Progress) -> list[FactAnswer]:
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


def lama(loaded: models.LoadedModel, on_progress: Progress = None) -> LamaResult:
    """P@1 and P@10 of the MLM head on the hand-written facts, per relation and overall."""
    models.require_head(loaded, "mlm")
    facts = [f for f in FACTS if _single_piece(loaded, f.answer)]
    if not facts:
        raise ValueError(f"no answer of the facts is a single word-piece of {loaded.name!r}'s vocabulary; "
                         "a model with an English WordPiece vocabulary (bundled, bert-base-uncased) can run this card")
    answers = _answers(loaded, facts, on_progress)
    relations = [_score(r, [a for a in answers if a.fact.relation == r]) for r in dict.fromkeys(f.relation for f in facts)]
    overall = _score("all", answers)
    enough = overall.p_at_1 >= SHARE_OF_PAPER * PAPER_P_AT_1
    best = max(relations, key=lambda r: r.p_at_1)
    measured = (f"P@1 {percent(overall.p_at_1)}, P@10 {percent(overall.p_at_10)} over {len(answers)} facts "
                f"({len(FACTS) - len(facts)} left out); best relation: {best.relation} (P@1 {percent(best.p_at_1)}).")
    verdict = Verdict.of(enough, f"P@1 {percent(overall.p_at_1)} against BERT-large's {percent(PAPER_P_AT_1)} on "
                         f"T-REx ({'comparable' if enough else 'far lower'}; a different, small, hand-written set)")
    return LamaResult(CARD, loaded.name, answers, len(FACTS) - len(facts), relations, overall.p_at_1,
                      overall.p_at_10, measured, verdict, _table(answers))
