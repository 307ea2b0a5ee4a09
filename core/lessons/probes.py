"""What each lesson step measures on the loaded model: one small function per kind of question.

A probe reads the step's input through the same core functions the pages use (the one cached analysis, the
fill-mask head, the NSP scorer, the task heads), so the number a lesson reveals is the number the page shows.
It returns a Reading: the model's answer to the step's question, the facts its explanation quotes, and a few
rows to show. Tokens and labels in a Reading are raw text: whoever draws them escapes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core import corpus
from core.attention import maps
from core.embeddings import input_embedding as embeddings
from core.findings.result import middle_layers
from core.mlm import fill_mask as mlm
from core.mlm import masking, scoring
from core.model import forward
from core.model.card import model_card
from core.model.loading import LoadedModel
from core.nsp import experiment
from core.nsp import scoring as nsp
from core.tasks import classify, qa


@dataclass(frozen=True)
class Question:
    """What a probe is asked: the step's input and, for some probes, one word of it to look at."""

    text_a: str
    text_b: str | None = None
    target: str | None = None  # a word of text_a (WordPiece, NER) or the QA question


@dataclass(frozen=True)
class Reading:
    """The model's answer to one step, measured."""

    answer: str  # the model's answer, in the words of the step's choices
    facts: dict[str, str | float | int]  # what the explanation quotes, by placeholder name
    rows: list[dict[str, str | float | int]] = field(default_factory=list)  # a small table to show, or none


Probe = Callable[[LoadedModel, Question], Reading]


def separators(loaded: LoadedModel, q: Question) -> Reading:
    """How many separator tokens the model adds after [CLS] A … B."""
    encoded = forward.encode_for(loaded, q.text_a, q.text_b)
    specials = [t for t, special in zip(encoded.tokens, encoded.special_mask) if special]
    return Reading(str(len(specials) - 1), {"tokens": " ".join(encoded.tokens), "count": len(encoded)},
                   _token_rows(encoded))


def piece_count(loaded: LoadedModel, q: Question) -> Reading:
    """Into how many WordPiece pieces the tokenizer cuts the target word (of sentence A)."""
    encoded = forward.encode_for(loaded, q.text_a, q.text_b)
    start = q.text_a.lower().index(q.target.lower())
    word = next(w for w in encoded.words if w.sentence == 0 and w.start == start)
    pieces = [encoded.tokens[i] for i in word.positions]
    return Reading(str(len(pieces)), {"word": q.target, "pieces": " ".join(pieces), "count": len(pieces)},
                   _token_rows(encoded))


def last_segment(loaded: LoadedModel, q: Question) -> Reading:
    """The segment id the final [SEP] gets (it closes sentence B, so B's)."""
    encoded = forward.encode_for(loaded, q.text_a, q.text_b)
    return Reading(str(encoded.token_type_ids[-1]), {"segment": encoded.token_type_ids[-1],
                                                     "first_b": encoded.token_type_ids.index(1)
                                                     if 1 in encoded.token_type_ids else -1},
                   _token_rows(encoded))


def summands(loaded: LoadedModel, q: Question) -> Reading:
    """Whether LayerNorm(token + segment + position) equals what the model fed its first encoder."""
    analysis = forward.analyze(loaded, q.text_a, q.text_b)
    result = embeddings.embedding_sum(loaded, analysis)
    index = min(1, len(analysis.inputs) - 1)
    rows = [{"vector": name, **{f"dim {d}": round(float(v), 4) for d, v in enumerate(values)}}
            for name, values in result.sum_rows(index).items()]
    return Reading("yes" if result.matches else "no",
                   {"diff": result.max_abs_diff, "token": analysis.inputs.tokens[index], "numbers": result.normalized.size},
                   rows)


def position_similarity(loaded: LoadedModel, q: Question) -> Reading:
    """Whether neighbouring learned position vectors are more alike than distant ones (cosine at distance 1 vs 32)."""
    positions = embeddings.position_comparison(loaded, 64)
    near = float(np.diagonal(positions.learned_similarity, offset=1).mean())
    far = float(np.diagonal(positions.learned_similarity, offset=32).mean())
    return Reading("yes" if near > far else "no", {"near": near, "far": far})


def stack_size(loaded: LoadedModel, q: Question) -> Reading:
    """How many encoder layers and attention heads per layer the model has."""
    card = model_card(loaded)
    return Reading(f"{card.num_layers} × {card.num_heads}",
                   {"layers": card.num_layers, "heads": card.num_heads, "hidden": card.hidden_size,
                    "per_head": card.hidden_size // card.num_heads})


ATTENTION_TARGETS = ("[CLS]", "[SEP]", "the token itself", "the neighbouring tokens", "the other words")


def attention_targets(loaded: LoadedModel, q: Question) -> Reading:
    """Where the middle layers' attention goes (Clark et al.'s, as the Findings page reads them), averaged over
    their heads and every attending token."""
    analysis = forward.analyze(loaded, q.text_a, q.text_b)
    layers = middle_layers(analysis.num_layers)  # layer numbers 1 … N; attention index = number − 1
    middle = [number - 1 for number in layers]
    share = {key: float(np.nanmean(maps.head_statistic(analysis, key).values[middle]))
             for key in ("cls", "sep", "self", "previous", "next")}
    shares = dict(zip(ATTENTION_TARGETS, (share["cls"], share["sep"], share["self"], share["previous"] + share["next"])))
    shares[ATTENTION_TARGETS[-1]] = max(0.0, 1.0 - sum(shares.values()))
    top = max(shares, key=shares.get)
    return Reading(top, {"top": top, "share": shares[top], "sep": shares["[SEP]"], "first": layers[0],
                         "last": layers[-1]},
                   [{"attended": name, "share": round(value, 3)} for name, value in shares.items()])


def top_prediction(loaded: LoadedModel, q: Question) -> Reading:
    """The MLM head's first choice at the input's one [MASK], and the next four."""
    mask = mlm.fill_mask(loaded, q.text_a, q.text_b, top_k=5).masks[0]
    best = mask.predictions[0]
    return Reading(best.token, {"top": best.token, "p": best.score,
                                "rest": ", ".join(p.token for p in mask.predictions[1:])},
                   [{"rank": i + 1, "word": p.token, "probability": round(p.score, 4)}
                    for i, p in enumerate(mask.predictions)])


MASK_SHARES = ("100 %", "80 %", "50 %", "15 %")
MASKING_DRAWS = 100


def masking_rule(loaded: LoadedModel, q: Question) -> Reading:
    """The share of chosen tokens the pre-training rule replaces with [MASK], counted over seeded draws."""
    result = masking.masking_accuracy(loaded, q.text_a, q.text_b, draws=MASKING_DRAWS)
    share = {a: result.counts.get(a, 0) / result.predictions for a in ("mask", "random", "keep")}
    nearest = min(MASK_SHARES, key=lambda s: abs(int(s.split()[0]) / 100 - share["mask"]))
    facts = {"draws": result.draws, "chosen": result.predictions, **{f"share_{a}": v for a, v in share.items()},
             **{f"accuracy_{a}": result.by_action.get(a, float("nan")) for a in ("mask", "random", "keep")}}
    return Reading(nearest, facts, [{"action": a, "share": round(share[a], 3),
                                     "top-1 right": round(result.by_action.get(a, float("nan")), 3)}
                                    for a in ("mask", "random", "keep")])


INDEPENDENT_VERDICTS = ("just as well", "worse")


def independent_fill(loaded: LoadedModel, q: Question) -> Reading:
    """Whether the one-pass independent fill of several masks scores worse than fills that see each other."""
    result = scoring.joint_fill(loaded, q.text_a, q.text_b)
    best = max(result.iterative.pll, result.joint.pll)
    worse = result.independent.pll < best - 1e-6
    fills = {"independent": result.independent, "iterative": result.iterative, "joint": result.joint}
    return Reading(INDEPENDENT_VERDICTS[worse],
                   {**{name: " ".join(f.tokens) for name, f in fills.items()},
                    **{f"{name}_pll": f.pll for name, f in fills.items()}},
                   [{"strategy": name, "fill": " ".join(f.tokens), "PLL": round(f.pll, 2)} for name, f in fills.items()])


NSP_SIDES = ("above 0.5", "below 0.5")


def next_sentence(loaded: LoadedModel, q: Question) -> Reading:
    """Which side of 0.5 the model's P(IsNext) for B after A falls on."""
    score = nsp.score_pair(loaded, q.text_a, q.text_b)
    return Reading(NSP_SIDES[score.is_next < nsp.THRESHOLD], {"p": score.is_next, "head": score.head.name})


def negative_kinds(loaded: LoadedModel, q: Question) -> Reading:
    """Which kind of wrong B the head separates best from true next sentences (ROC AUC), on Python's doc topics."""
    documents = corpus.python_reference_documents()
    result = experiment.run_experiment(loaded, experiment.build_pairs(documents, experiment.DEFAULT_PER_KIND))
    negatives = [s for s in result.summary if s.auc is not None]
    easiest = max(negatives, key=lambda s: s.auc)
    facts = {"easiest": easiest.kind, "pairs": len(result.pairs),
             **{f"auc_{i}": s.auc for i, s in enumerate(negatives)}}
    return Reading(easiest.kind, facts, [{"negative": s.kind, "ROC AUC": round(s.auc, 3),
                                          "mean P(IsNext)": round(s.mean, 3)} for s in negatives])


def sentence_label(loaded: LoadedModel, q: Question) -> Reading:
    """The label a sentence classifier gives sentence A."""
    result = classify.classify(loaded, q.text_a)
    label = result.labels[result.predicted]
    return Reading(label, {"label": label, "p": float(result.probabilities[result.predicted])},
                   [{"label": name, "probability": round(float(p), 4)}
                    for name, p in zip(result.labels, result.probabilities)])


def word_label(loaded: LoadedModel, q: Question) -> Reading:
    """The tag a token classifier gives the target word of sentence A."""
    result = classify.classify_tokens(loaded, q.text_a)
    words = {q.text_a[w.start:w.end]: w for w in result.words}
    if q.target not in words:
        raise ValueError(f"the word {q.target!r} is not a word of the sentence")
    word = words[q.target]
    return Reading(word.label, {"word": q.target, "label": word.label, "p": word.score},
                   [{"word": text, "tag": w.label, "score": round(w.score, 3)} for text, w in words.items()])


def answer_span(loaded: LoadedModel, q: Question) -> Reading:
    """The span a QA model picks in the passage (text_a) for the question (target)."""
    result = qa.answer_question(loaded, q.target, q.text_a)
    best = result.answers[0]
    return Reading(best.text, {"answer": best.text, "p": best.score},
                   [{"answer": a.text, "score": round(a.score, 4)} for a in result.answers[:3]])


def _token_rows(encoded) -> list[dict[str, str | int]]:
    return [{"position": i, "token": t, "segment": s} for i, (t, s) in enumerate(zip(encoded.tokens, encoded.token_type_ids))]
