"""BERT's input: `[CLS] sentence A [SEP] sentence B [SEP]`, WordPiece pieces, ids and segment ids.

Note section 2: [SEP] separates the two sentences and the [CLS] position feeds the sentence-level
classifier; every token of A gets segment 0, every token of B segment 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from transformers import PreTrainedTokenizerBase

from core import config


@dataclass(frozen=True)
class Word:
    """One word of an input as BERT reads it: the positions of its WordPiece pieces, in order (a special token
    such as [CLS] or [SEP] is a word of its own), the sentence it belongs to and the text it covers."""

    positions: tuple[int, ...]
    sentence: int | None  # 0 = sentence A, 1 = sentence B, None = special token
    index: int | None  # the word's number within its sentence (the tokenizer's word id); None for specials
    start: int  # character span in its own sentence; (0, 0) for specials
    end: int
    text: str  # as typed, cut from its sentence by the span; a special token's own token

    @property
    def special(self) -> bool:
        return self.sentence is None

    def __len__(self) -> int:
        return len(self.positions)


def group_words(tokens: list[str], sentence_ids: list[int | None], word_ids: list[int | None],
                offsets: list[tuple[int, int]], texts: tuple[str, str | None]) -> list[Word]:
    """The input's words in text order (see Word), from its pieces' sentence ids, word ids and offsets."""
    words = []
    for group in word_positions(sentence_ids, word_ids):
        first, last = group[0], group[-1]
        sentence = sentence_ids[first] if word_ids[first] is not None else None
        start, end = (offsets[first][0], offsets[last][1]) if sentence is not None else (0, 0)
        text = texts[sentence] if sentence is not None else None
        shown = text[start:end] if text and end > start else "".join(tokens[i] for i in group)
        words.append(Word(tuple(group), sentence, word_ids[first], start, end, shown))
    return words


@dataclass(frozen=True)
class EncodedInput:
    """One tokenized input, single sentence or pair. Every list has one entry per token (seq,)."""

    text_a: str
    text_b: str | None
    tokens: list[str]  # WordPiece pieces, special tokens included
    input_ids: list[int]
    token_type_ids: list[int]  # segment ids: 0 for [CLS], A and its [SEP]; 1 for B and its [SEP]
    sentence_ids: list[int | None]  # 0 = sentence A, 1 = sentence B, None = special token
    word_ids: list[int | None]  # index of the word a piece belongs to, within its sentence
    offsets: list[tuple[int, int]]  # character span of the piece in its own sentence; (0, 0) for specials
    special_mask: list[bool]  # True for [CLS], [SEP] and other added tokens
    max_length: int  # the longest input this model takes
    num_tokens_untruncated: int  # how many tokens the full text would have made

    @property
    def truncated(self) -> bool:
        return self.num_tokens_untruncated > len(self.tokens)

    @property
    def is_pair(self) -> bool:
        return self.text_b is not None

    def __len__(self) -> int:
        return len(self.tokens)

    @cached_property
    def words(self) -> list[Word]:
        """The input's words in text order, special tokens each a word of its own: the one word grouping."""
        return group_words(self.tokens, self.sentence_ids, self.word_ids, self.offsets, (self.text_a, self.text_b))

    def word_at(self, position: int) -> Word:
        """The word the piece at `position` belongs to."""
        return next(word for word in self.words if position in word.positions)

    def truncation_notice(self) -> str:
        """What was cut, in words, or an empty string when nothing was."""
        if not self.truncated:
            return ""
        cut = self.num_tokens_untruncated - len(self.tokens)
        strategy = "the longer sentence is cut first" if self.is_pair else "the end is cut"
        return (
            f"input truncated: {self.num_tokens_untruncated} tokens, the model takes at most "
            f"{self.max_length}; {cut} tokens were dropped ({strategy})"
        )


def word_positions(sentence_ids: list[int | None], word_ids: list[int | None]) -> list[list[int]]:
    """Token positions grouped into words, in text order: the WordPiece pieces of one word of one sentence
    together, every special token ([CLS], [SEP], padding: word id None) alone. The one word grouping."""
    groups: dict[tuple, list[int]] = {}
    for i, (sentence, word) in enumerate(zip(sentence_ids, word_ids)):
        key = ("special", i) if sentence is None or word is None else (sentence, word)
        groups.setdefault(key, []).append(i)
    return list(groups.values())


def model_max_length(tokenizer: PreTrainedTokenizerBase, max_positions: int) -> int:
    """The longest input a model takes: its position table, its tokenizer's limit and MAX_SEQ_LEN."""
    limit = tokenizer.model_max_length if tokenizer.model_max_length < 1_000_000 else config.MAX_SEQ_LEN
    return min(limit, max_positions, config.MAX_SEQ_LEN)


def clean_texts(text_a: str | None, text_b: str | None) -> tuple[str, str | None]:
    """Strip both sentences; an empty sentence A is an error, an empty B means a single sentence."""
    text_a = (text_a or "").strip()
    text_b = (text_b or "").strip() or None
    if not text_a:
        raise ValueError("sentence A is empty — type a sentence")
    return text_a, text_b


def _check_each_sentence_has_tokens(sequence_ids: list, has_b: bool) -> None:
    """ValueError when the tokenizer dropped every character of a sentence (zero-width or control characters,
    lone accents…): an empty sentence would otherwise be analysed as if it had been typed."""
    for sentence, name in ((0, "A"), (1, "B")) if has_b else ((0, "A"),):
        if sentence not in sequence_ids:
            raise ValueError(f"sentence {name} has no token this model reads (its tokenizer drops every character "
                             f"of it) — type words in sentence {name}" + (", or leave it empty" if name == "B" else ""))


def encode(
    tokenizer: PreTrainedTokenizerBase, text_a: str, text_b: str | None = None, max_length: int = config.MAX_SEQ_LEN
) -> EncodedInput:
    """Tokenize one sentence or a pair the way BERT reads it, truncating (visibly) to max_length."""
    text_a, text_b = clean_texts(text_a, text_b)
    options = dict(return_offsets_mapping=True, return_special_tokens_mask=True, verbose=False)
    enc = tokenizer(text_a, text_b, truncation=False, **options)
    _check_each_sentence_has_tokens(enc.sequence_ids(), text_b is not None)
    num_tokens = len(enc["input_ids"])
    if num_tokens > max_length:  # tokenize again, cut to fit; the notice reports num_tokens
        enc = tokenizer(text_a, text_b, truncation="longest_first", max_length=max_length, **options)
    ids = enc["input_ids"]
    sentence_ids = enc.sequence_ids()
    return EncodedInput(
        text_a=text_a,
        text_b=text_b,
        tokens=tokenizer.convert_ids_to_tokens(ids),
        input_ids=list(ids),
        token_type_ids=list(enc.get("token_type_ids") or [0] * len(ids)),
        sentence_ids=list(sentence_ids),
        word_ids=list(enc.word_ids()),
        offsets=[tuple(o) for o in enc["offset_mapping"]],
        special_mask=[bool(m) for m in enc["special_tokens_mask"]],
        max_length=max_length,
        num_tokens_untruncated=num_tokens,
    )
