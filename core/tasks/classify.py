"""Three of the four ways to use BERT: sentence, sentence-pair and token classification.

Note section 4: (1) one sentence in, one class out — the head reads the [CLS] vector; (2) one
sentence in, a class for every word out — the head reads every token's vector; (3) two sentences
in, "adjacent or not" — the [CLS] vector of `[CLS] A [SEP] B [SEP]` (the NSP head, or any pair
classifier). Question answering, the fourth way, lives in core/tasks/qa.py. Probabilities come from
the model's real heads via the one cached forward pass; saliency (which tokens pushed the
prediction) is integrated gradients or gradient × input, computed here with a few lines of torch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.lib.lru import model_cache
from core.lib.numerics import softmax
from core.model import capabilities, forward
from core.model.capabilities import Head, MissingHeadError, require_head
from core.model.inputs import EncodedInput, Word
from core.model.loading import LoadedModel
from core.tasks import heads

SALIENCY_METHODS = ("integrated gradients", "gradient × input")
AGGREGATIONS = ("first", "average", "max")
# Integrated-gradients path steps: on MiniLM the saliency sum is within 0.1% of the logit gap at 32 (1% at 16).
IG_STEPS = 32
# More steps change that sum by well under 0.1% and only cost time (2,000 steps ran over 4 minutes on a CPU);
# the page offers up to 64.
MAX_IG_STEPS = 256
IG_BATCH = 16  # path points per backward pass, bounding memory on long inputs
NSP_LABELS = ("IsNext: B follows A", "NotNext: B is random")


@dataclass(frozen=True)
class HeadReadout:
    """Which encoder positions a task's head reads, and the head's real weight shape."""

    task: str
    positions: str  # in words
    read_positions: list[int]  # (k,) token positions the head reads
    weight_shape: tuple[int, ...]  # (outputs, hidden)


@dataclass(frozen=True)
class Classification:
    """A sentence or sentence-pair classification read off the [CLS] position."""

    model_name: str
    task: str  # "sentence" or "pair"
    head: Head  # SEQUENCE (a classifier), NSP or SOP
    inputs: EncodedInput
    labels: list[str]  # (labels,)
    logits: np.ndarray  # (labels,)
    probabilities: np.ndarray  # (labels,) softmax of logits
    predicted: int
    layer_probabilities: np.ndarray | None  # (layers + 1, labels): the real head applied to [CLS] after each layer
    cls_norms: np.ndarray  # (layers + 1,) length of the [CLS] vector after each layer
    cls_similarity_to_final: np.ndarray  # (layers + 1,) cosine of [CLS] after each layer with its final vector


@dataclass(frozen=True)
class Saliency:
    """Per-token contributions to one class's logit."""

    method: str
    target: str  # the class explained
    tokens: list[str]  # (seq,)
    scores: np.ndarray  # (seq,) summed over the embedding dimension
    target_logit: float  # logit of the target class on the input
    baseline_logit: float  # ... on the baseline (every non-special token replaced by [PAD])


@dataclass(frozen=True)
class WordLabel:
    """One word's label after merging its WordPiece pieces."""

    word: int  # index of the word in the sentence
    start: int  # character offsets into the sentence
    end: int
    label: str
    score: float


@dataclass(frozen=True)
class Entity:
    """Neighbouring words merged into one entity (B-X I-X … → X)."""

    label: str  # entity type without its B-/I- prefix
    text: str
    start: int
    end: int
    score: float  # mean of its words' scores


@dataclass(frozen=True)
class TokenClassification:
    """A label for every token, merged into words and entities."""

    model_name: str
    text: str
    inputs: EncodedInput
    labels: list[str]  # (labels,)
    probabilities: np.ndarray  # (seq, labels)
    predicted: list[str]  # (seq,) argmax label per token ("" for special tokens)
    aggregation: str
    words: list[WordLabel]
    entities: list[Entity]


def _pair_head(loaded: LoadedModel) -> Head:
    """Which head answers "is B adjacent to A?": NSP/SOP when real, else a classifier trained for pairs (never
    one trained on single sentences: it never saw a sentence B)."""
    caps = loaded.capabilities
    if caps.nsp or caps.sop:
        return Head.SOP if caps.sop else Head.NSP
    if heads.has_head(loaded, "pair"):
        return Head.SEQUENCE
    if caps.sequence_classification:
        raise MissingHeadError(
            f"{loaded.name!r} was trained to classify single sentences, so it cannot judge a sentence pair; pick a "
            "model with a next-sentence (NSP) head or a pair classifier, or train one on the fine-tune page", Head.SEQUENCE
        )
    raise MissingHeadError(
        f"{loaded.name!r} has no next-sentence (NSP) head and no classification head, so it cannot judge a "
        "sentence pair; pick a pre-trained BERT with its NSP head, or train a classifier on the fine-tune page",
        Head.SEQUENCE)


def _require_sentence_head(loaded: LoadedModel) -> None:
    """The sentence task needs a classifier not trained on pairs (which would miss its sentence B)."""
    require_head(loaded, Head.SEQUENCE)
    if not heads.has_head(loaded, "sentence"):
        raise MissingHeadError(
            f"{loaded.name!r} was trained to classify sentence pairs: type sentence B to judge a pair, or pick a "
            "sentence classifier", Head.SEQUENCE
        )


def _head_linear(loaded: LoadedModel, head: Head) -> torch.nn.Linear | None:
    """The final linear layer of a BERT classification head (None for families shaped differently)."""
    model = loaded.model
    layer = getattr(model, "classifier", None) if head is Head.SEQUENCE else None
    if head is Head.NSP:
        layer = forward.pair_head(loaded)
    return layer if isinstance(layer, torch.nn.Linear) else None


def _layer_probabilities(loaded: LoadedModel, head: Head, hidden_states: np.ndarray) -> np.ndarray | None:
    """The real pooler + head applied to [CLS] after each layer; hidden_states (layers + 1, seq, hidden)."""
    linear, pooler = _head_linear(loaded, head), getattr(loaded.encoder, "pooler", None)
    if linear is None or pooler is None:
        return None
    with torch.no_grad():
        states = torch.tensor(hidden_states, device=loaded.device)
        if isinstance(pooler, torch.nn.Linear):  # ALBERT: a bare linear layer on [CLS], then tanh
            pooled = torch.tanh(pooler(states[:, 0]))
        else:  # BERT's pooler picks position 0 itself
            pooled = pooler(states)
        logits = linear(pooled).float().cpu().numpy()
    return softmax(logits) if logits.ndim == 2 else None


def _cls_path(hidden_states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cls = hidden_states[:, 0]  # (layers + 1, hidden)
    norms = np.linalg.norm(cls, axis=-1)
    return norms, cls @ cls[-1] / np.maximum(norms * norms[-1], 1e-12)


def classify(loaded: LoadedModel, text_a: str, text_b: str | None = None) -> Classification:
    """Class probabilities of one sentence (text_b None) or a pair, from the real head on [CLS]."""
    task = "sentence" if not (text_b or "").strip() else "pair"
    head = _pair_head(loaded) if task == "pair" else Head.SEQUENCE
    if task == "sentence":
        _require_sentence_head(loaded)
    analysis = forward.analyze(loaded, text_a, text_b if task == "pair" else None)
    is_nsp = head in (Head.NSP, Head.SOP)
    logits = analysis.next_sentence_logits if is_nsp else analysis.sequence_logits
    labels = list(NSP_LABELS) if is_nsp else list(loaded.capabilities.labels)
    probabilities = softmax(logits)
    norms, similarity = _cls_path(analysis.hidden_states)
    return Classification(
        model_name=loaded.name, task=task, head=head, inputs=analysis.inputs, labels=labels,
        logits=logits, probabilities=probabilities, predicted=int(np.argmax(probabilities)),
        layer_probabilities=_layer_probabilities(loaded, head, analysis.hidden_states),
        cls_norms=norms, cls_similarity_to_final=similarity,
    )


def _head_logits(loaded: LoadedModel, output, head: Head) -> torch.Tensor:
    """The logits of the head _pair_head / classify chose: the pair head (NSP/SOP) or the classifier's."""
    return capabilities.logits(output, head)


def _embedded(loaded: LoadedModel, encoded: EncodedInput) -> tuple[torch.Tensor, torch.Tensor, dict]:
    """Word embeddings of the input and of its baseline ([PAD] for every non-special token), plus the other inputs."""
    inputs = forward.model_inputs(loaded, encoded)
    ids = inputs.pop("input_ids")
    pad = loaded.tokenizer.pad_token_id or 0
    special = torch.tensor([encoded.special_mask], device=loaded.device)
    table = loaded.encoder.get_input_embeddings()
    with torch.no_grad():
        return table(ids), table(torch.where(special, ids, torch.full_like(ids, pad))), inputs


def _logit_and_gradient(loaded, head, points: torch.Tensor, inputs: dict, target: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Target logit at each embedding point (n, seq, emb) and its gradient w.r.t. the point."""
    batch = {k: v.expand(points.shape[0], -1) for k, v in inputs.items()}
    with torch.enable_grad():
        points = points.detach().requires_grad_(True)
        logit = _head_logits(loaded, loaded.model(inputs_embeds=points, **batch), head)[:, target]
        (gradient,) = torch.autograd.grad(logit.sum(), points)
    return logit.detach(), gradient


@model_cache(32)
def saliency(loaded: LoadedModel, text_a: str, text_b: str | None = None,
             method: str = SALIENCY_METHODS[0], steps: int = IG_STEPS) -> Saliency:
    """Each token's contribution to the predicted class's logit: integrated gradients or gradient × input."""
    if not 1 <= steps <= MAX_IG_STEPS:
        raise ValueError(f"integrated gradients take 1 to {MAX_IG_STEPS} steps, not {steps} ({IG_STEPS} already "
                         "brings the saliency sum within 0.1% of the logit gap)")
    if method not in SALIENCY_METHODS:
        raise ValueError(f"unknown saliency method {method!r}; use one of {', '.join(SALIENCY_METHODS)}")
    result = classify(loaded, text_a, text_b)
    x, baseline, inputs = _embedded(loaded, result.inputs)
    if method == SALIENCY_METHODS[1]:
        logit, gradient = _logit_and_gradient(loaded, result.head, x, inputs, result.predicted)
        scores, base_logit = (x * gradient).sum(-1)[0], float("nan")
    else:
        alphas = (torch.arange(steps, device=loaded.device, dtype=x.dtype) + 0.5) / steps  # midpoint rule
        total = torch.zeros_like(x)
        for first in range(0, steps, IG_BATCH):
            a = alphas[first:first + IG_BATCH, None, None]
            _, gradient = _logit_and_gradient(loaded, result.head, baseline + a * (x - baseline), inputs, result.predicted)
            total += gradient.sum(0, keepdim=True)
        scores = ((x - baseline) * total / steps).sum(-1)[0]
        logit, _ = _logit_and_gradient(loaded, result.head, x, inputs, result.predicted)
        base_logit = float(_logit_and_gradient(loaded, result.head, baseline, inputs, result.predicted)[0][0])
    return Saliency(method, result.labels[result.predicted], result.inputs.tokens,
                    scores.detach().float().cpu().numpy(), float(logit[0]), base_logit)


def aggregate_words(words: list[Word], probabilities: np.ndarray, labels: list[str], strategy: str) -> list[WordLabel]:
    """One label per word (special tokens skipped) from its pieces' probabilities (seq, labels): first piece,
    average, or most confident piece."""
    if strategy not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {strategy!r}; use one of {', '.join(AGGREGATIONS)}")
    labelled = []
    for word in words:
        if word.special:
            continue
        rows = probabilities[list(word.positions)]
        if strategy == "first":
            row = rows[0]
        elif strategy == "average":
            row = rows.mean(axis=0)
        else:
            row = rows[int(np.argmax(rows.max(axis=1)))]
        best = int(np.argmax(row))
        labelled.append(WordLabel(word.index, word.start, word.end, labels[best], float(row[best])))
    return labelled


def _split_tag(label: str) -> tuple[str, str]:
    """("B", "LOC") from "B-LOC"; ("I", "LOC") from a bare "LOC"; ("O", "") for O."""
    if label.upper() == "O":
        return "O", ""
    if len(label) > 2 and label[1] in "-_" and label[0].upper() in "BIES":
        return label[0].upper(), label[2:]
    return "I", label


def group_entities(words: list[WordLabel], text: str) -> list[Entity]:
    """Merge neighbouring words into entities: B-X starts one, I-X continues an X, O ends it."""
    groups: list[tuple[str, list[WordLabel]]] = []
    for word in words:
        prefix, kind = _split_tag(word.label)
        if prefix == "O":
            groups.append(("", []))
        elif prefix in ("I", "E") and groups and groups[-1][0] == kind and groups[-1][1]:
            groups[-1][1].append(word)
        else:
            groups.append((kind, [word]))
    return [
        Entity(kind, text[ws[0].start:ws[-1].end], ws[0].start, ws[-1].end, float(np.mean([w.score for w in ws])))
        for kind, ws in groups if ws
    ]


def classify_tokens(loaded: LoadedModel, text: str, aggregation: str = "first") -> TokenClassification:
    """Label every token of one sentence with the real token-classification head, then merge into entities."""
    require_head(loaded, Head.TOKEN)
    analysis = forward.analyze(loaded, text)
    encoded = analysis.inputs
    probabilities = softmax(analysis.token_logits)
    labels = list(loaded.capabilities.labels)
    predicted = ["" if special else labels[int(i)] for special, i in zip(encoded.special_mask, probabilities.argmax(-1))]
    words = aggregate_words(encoded.words, probabilities, labels, aggregation)
    return TokenClassification(
        model_name=loaded.name, text=encoded.text_a, inputs=encoded, labels=labels, probabilities=probabilities,
        predicted=predicted, aggregation=aggregation, words=words, entities=group_entities(words, encoded.text_a),
    )


def head_readout(loaded: LoadedModel, task: str, encoded: EncodedInput) -> HeadReadout:
    """Which positions a classification head ("sentence", "pair", "token") reads, with its real weight's shape."""
    if task == "token":
        read = [i for i, special in enumerate(encoded.special_mask) if not special]
        return HeadReadout(task, "every token's final vector, one label each", read, tuple(loaded.model.classifier.weight.shape))
    linear = _head_linear(loaded, _pair_head(loaded) if task == "pair" else Head.SEQUENCE)
    shape = tuple(linear.weight.shape) if linear is not None else ()
    return HeadReadout(task, "the [CLS] vector only (position 0), through the pooler", [0], shape)


def unknown_share(loaded: LoadedModel, encoded: EncodedInput) -> float:
    """Share of non-special tokens the vocabulary could only map to [UNK] (e.g. Chinese in an English model)."""
    unk = loaded.tokenizer.unk_token_id
    ids = [i for i, special in zip(encoded.input_ids, encoded.special_mask) if not special]
    return sum(i == unk for i in ids) / max(1, len(ids))
