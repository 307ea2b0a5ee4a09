"""Pre-training examples: sentence pairs for NSP/SOP and the 15 % masking rule for MLM.

Note section 3: BERT pre-trains two tasks at the same time on unlabelled text. Each example is
`[CLS] A [SEP] B [SEP]`; half the time B really follows A (label IsNext), otherwise B is a negative.
The note's three ways to draw a negative are the `NEGATIVE_STRATEGIES` below. MLM then hides 15 % of
the tokens: 80 % become [MASK], 10 % a random token, 10 % stay unchanged (the model must still
predict them), optionally masking whole words instead of single word pieces.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch
from transformers import PreTrainedTokenizerBase

from core import corpus
from core.model.inputs import word_positions

# How a negative pair is drawn, and what it teaches (the note's weakness and its improvement).
NEGATIVE_STRATEGIES = {
    "random_document": "B from a different document (original BERT: topic alone gives it away)",
    "same_document": "B from the same document but not adjacent (the note's improvement: coherence, not topic)",
    "swapped": "the two adjacent segments in swapped order (ALBERT's sentence-order prediction)",
}
IS_NEXT, NOT_NEXT = 0, 1  # BertForPreTraining's next_sentence_label convention (index 0 = IsNext)
IGNORE_INDEX = -100  # label of a token the MLM loss skips

MASK_RATE = 0.15  # share of (non-special) tokens the MLM task hides
MASK_TOKEN_SHARE, RANDOM_TOKEN_SHARE = 0.8, 0.1  # of the hidden ones; the remaining 10 % stay unchanged



@dataclass(frozen=True)
class SentencePair:
    """One NSP/SOP example; segments are indexed as (document, segment)."""

    text_a: str
    text_b: str
    is_next: bool  # B really follows A in the document
    strategy: str  # which NEGATIVE_STRATEGIES drew it (positives too: they belong to that run)
    source_a: tuple[int, int]  # (document index, segment index) of A
    source_b: tuple[int, int]  # (document index, segment index) of B

    @property
    def label(self) -> int:
        return IS_NEXT if self.is_next else NOT_NEXT


def check_strategy(documents: list[list[str]], strategy: str) -> None:
    """Raise a ValueError a user can act on when the documents cannot give this strategy's negatives."""
    if strategy not in NEGATIVE_STRATEGIES:
        raise ValueError(f"unknown negative strategy {strategy!r}; pick one of {', '.join(NEGATIVE_STRATEGIES)}")
    if not documents:
        raise ValueError("no document has two segments: paste longer documents (several sentences each)")
    if strategy == "random_document" and len(documents) < 2:
        raise ValueError("random-document negatives need at least two documents (separate them with a --- line)")
    if strategy == "same_document" and not any(len(d) >= 3 for d in documents):
        raise ValueError("same-document negatives need a document of at least three segments: paste longer documents")


def source_peers(sources: list[str]) -> list[list[int]]:
    """Per document, the indices of the documents of its source (one shared list per source).

    A corpus mixing sources (novels, dictionary glosses, manuals) gives random-document negatives that differ
    from A in register as well as in topic, and NSP learns the easier cue. Drawing B from A's own source
    leaves topic and coherence as the only cues, as in a corpus of one kind.
    """
    members: dict[str, list[int]] = {}
    for index, source in enumerate(sources):
        members.setdefault(source, []).append(index)
    if any(len(m) < 2 for m in members.values()):
        lonely = next(name for name, m in members.items() if len(m) < 2)
        raise ValueError(f"source {lonely!r} has a single document: random-document negatives need two per source")
    return [members[source] for source in sources]


def sample_pair(documents: list[list[str]], strategy: str, rng: random.Random,
                peers: list[list[int]] | None = None) -> SentencePair:
    """One pair: 50 % positive (B follows A), else a negative drawn by `strategy` (see source_peers)."""
    doc = rng.randrange(len(documents))
    if strategy == "same_document":  # only documents long enough for a non-adjacent B
        doc = rng.choice([d for d in range(len(documents)) if len(documents[d]) >= 3])
    segments = documents[doc]
    a = rng.randrange(len(segments) - 1)
    if rng.random() < 0.5:
        return SentencePair(segments[a], segments[a + 1], True, strategy, (doc, a), (doc, a + 1))
    if strategy == "swapped":
        return SentencePair(segments[a + 1], segments[a], False, strategy, (doc, a + 1), (doc, a))
    if strategy == "same_document":  # the middle of three segments has no non-adjacent one: A becomes the first
        i, j = corpus.non_adjacent(rng, len(segments), a) or corpus.non_adjacent(rng, len(segments), 0)
        return SentencePair(segments[i], segments[j], False, strategy, (doc, i), (doc, j))
    other = corpus.other_document(rng, len(documents), doc, None if peers is None else peers[doc])
    b = rng.randrange(len(documents[other]))
    return SentencePair(segments[a], documents[other][b], False, strategy, (doc, a), (other, b))


def draw_pairs(documents: list[list[str]], strategy: str, count: int, seed: int = 0) -> list[SentencePair]:
    """`count` pairs drawn reproducibly (same seed, same pairs: two runs compare on identical data)."""
    check_strategy(documents, strategy)
    rng = random.Random(seed)
    return [sample_pair(documents, strategy, rng) for _ in range(count)]


@dataclass
class MaskedBatch:
    """Tensors for BertForPreTraining; `labels` is IGNORE_INDEX except at the hidden positions."""

    input_ids: torch.Tensor  # (batch, seq) after masking
    token_type_ids: torch.Tensor  # (batch, seq) 0 for [CLS] A [SEP], 1 for B [SEP]
    attention_mask: torch.Tensor  # (batch, seq) 1 for real tokens, 0 for padding
    labels: torch.Tensor  # (batch, seq) original id at hidden positions, else IGNORE_INDEX
    next_sentence_label: torch.Tensor  # (batch,) IS_NEXT or NOT_NEXT
    mask_kind: torch.Tensor  # (batch, seq) 0 not hidden, 1 [MASK], 2 random token, 3 unchanged


def _word_groups(word_ids: list[int | None], sequence_ids: list[int | None], whole_word: bool) -> list[list[int]]:
    """Positions that are masked together: one per word piece, or all pieces of a word."""
    words = [g for g in word_positions(sequence_ids, word_ids) if word_ids[g[0]] is not None]  # specials: never masked
    return words if whole_word else [[position] for word in words for position in word]


def choose_masked(groups: list[list[int]], rate: float, rng: random.Random) -> list[int]:
    """Positions to hide: round(rate × tokens) of them (at least one), drawn as whole groups."""
    budget = max(1, round(rate * sum(len(g) for g in groups)))
    chosen: list[int] = []
    for group in rng.sample(groups, len(groups)):
        if len(chosen) >= budget:
            break
        if len(chosen) + len(group) <= budget or not chosen:
            chosen.extend(group)
    return chosen


def mask_sequence(ids: list[int], positions: list[int], tokenizer: PreTrainedTokenizerBase,
                  rng: random.Random) -> tuple[list[int], list[int], list[int]]:
    """Apply 80/10/10 at `positions`; returns (masked ids, labels, kind per position)."""
    masked, labels, kinds = list(ids), [IGNORE_INDEX] * len(ids), [0] * len(ids)
    special = set(tokenizer.all_special_ids)
    for position in positions:
        labels[position] = ids[position]
        roll = rng.random()
        if roll < MASK_TOKEN_SHARE:
            masked[position], kinds[position] = tokenizer.mask_token_id, 1
        elif roll < MASK_TOKEN_SHARE + RANDOM_TOKEN_SHARE:
            masked[position], kinds[position] = _random_token(len(tokenizer), special, rng), 2
        else:
            kinds[position] = 3
    return masked, labels, kinds


def _random_token(vocab_size: int, special: set[int], rng: random.Random) -> int:
    while True:
        token = rng.randrange(vocab_size)
        if token not in special:
            return token


def make_batch(pairs: list[SentencePair], tokenizer: PreTrainedTokenizerBase, max_seq_len: int,
               rng: random.Random, mask_rate: float = MASK_RATE, whole_word: bool = False) -> MaskedBatch:
    """Tokenize pairs as [CLS] A [SEP] B [SEP] (truncating the longer side) and mask them."""
    enc = tokenizer([p.text_a for p in pairs], [p.text_b for p in pairs], truncation="longest_first",
                    max_length=max_seq_len, padding=True)
    rows = []
    for i, ids in enumerate(enc["input_ids"]):
        groups = _word_groups(enc.word_ids(i), enc.sequence_ids(i), whole_word)
        rows.append(mask_sequence(ids, choose_masked(groups, mask_rate, rng), tokenizer, rng))
    return MaskedBatch(
        input_ids=torch.tensor([r[0] for r in rows]),
        token_type_ids=torch.tensor(enc["token_type_ids"]),
        attention_mask=torch.tensor(enc["attention_mask"]),
        labels=torch.tensor([r[1] for r in rows]),
        next_sentence_label=torch.tensor([p.label for p in pairs]),
        mask_kind=torch.tensor([r[2] for r in rows]),
    )
