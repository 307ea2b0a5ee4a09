"""Documents for the NSP experiment, split into segments (sentences), read at run time.

Note section 3.2: NSP samples are built from a corpus of *documents*; a positive pairs two consecutive
segments of one document, a negative pairs segments of different documents. This module supplies such
documents: the user's own text, or — to start from — the reference topics of Python's documentation,
which every Python installation carries in `pydoc_data.topics`. The text is read from the installed
package when needed and never copied into this repository.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from core import config
from core.lib import uploads

# A segment shorter than this many words is a fragment (a heading, "See also:"), not a sentence.
MIN_SEGMENT_WORDS = 5
# A line holding only this marker separates two documents in pasted or uploaded text.
DOCUMENT_SEPARATOR = "---"

# A sentence ends at . ! or ? followed by white space and a capital letter, a quote or a bracket.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")
# Pre-training's sentence rule (a capital, a digit or an opening quote/bracket starts the next one). The bundled
# model's build reads its corpus through it: keep it byte for byte, or that build no longer reproduces.
TRAINING_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
# Footnote marks such as "[5]" in the Python reference text.
_FOOTNOTE = re.compile(r"\s*\[\d+\]")
# Underlines of reStructuredText headings: "*****", "=====", "-----".
_UNDERLINE = re.compile(r"^[*=\-~^]{3,}$")


@dataclass(frozen=True)
class Document:
    """One document of a corpus, as an ordered list of segments (sentences)."""

    title: str
    segments: tuple[str, ...]  # in the order they appear in the document

    def __len__(self) -> int:
        return len(self.segments)


def _is_prose(paragraph: list[str]) -> bool:
    """Code, grammar rules and indented lists are not prose; neither is a heading with its underline."""
    if any(line.startswith(" ") for line in paragraph):
        return False
    return not any(_UNDERLINE.match(line.strip()) for line in paragraph)


def _paragraphs(text: str) -> list[list[str]]:
    """Blank-line separated blocks of lines (trailing white space removed)."""
    blocks, block = [], []
    for line in text.splitlines():
        if line.strip():
            block.append(line.rstrip())
        elif block:
            blocks.append(block)
            block = []
    if block:
        blocks.append(block)
    return blocks


def split_segments(text: str) -> list[str]:
    """The sentences of the prose paragraphs of a text, in order; code and headings are left out."""
    segments = []
    for paragraph in _paragraphs(text):
        if not _is_prose(paragraph):
            continue
        joined = _FOOTNOTE.sub("", " ".join(line.strip() for line in paragraph))
        for sentence in _SENTENCE_END.split(joined):
            sentence = " ".join(sentence.split())
            if len(sentence.split()) >= MIN_SEGMENT_WORDS and sentence[-1] in ".!?":
                segments.append(sentence)
    return segments


def split_documents(text: str, title: str = "document") -> list[Document]:
    """Documents of a pasted text: parts separated by a line '---', each split into sentences."""
    parts, current = [], []
    for line in (text or "").splitlines():
        if line.strip() == DOCUMENT_SEPARATOR:
            parts.append("\n".join(current))
            current = []
        else:
            current.append(line)
    parts.append("\n".join(current))
    documents = [Document(f"{title} {i + 1}", tuple(split_segments(p))) for i, p in enumerate(parts)]
    return [d for d in documents if len(d)]


def read_uploads(files: Sequence[tuple[str, bytes]]) -> list[tuple[str, str]]:
    """(name, text) of uploaded text files within the page's size limit; a binary or empty file is named."""
    return uploads.read_text_files(files, config.DOCUMENTS_UPLOAD_MAX_MB,
                                   "upload fewer or shorter documents (the experiment samples at most a few hundred "
                                   "pairs), or run `python -m core nsp-experiment FILE` on the command line")


def python_doc_topics() -> dict[str, str]:
    """Python's documentation topics (`pydoc_data.topics`, installed with Python, PSF License): name -> text,
    sorted by name. The one reader of them: NSP documents, pre-training examples, fine-tune demo sets."""
    try:
        from pydoc_data.topics import topics
    except ImportError as err:  # some slim Python builds leave pydoc_data out
        raise ValueError("this Python has no pydoc_data package; paste or upload documents instead") from err
    return dict(sorted(topics.items()))


@functools.lru_cache(maxsize=1)
def python_reference_documents() -> tuple[Document, ...]:
    """The topics of Python's language reference (`pydoc_data.topics`, installed with Python), as documents."""
    documents = [Document(name, tuple(split_segments(text))) for name, text in python_doc_topics().items()]
    return tuple(d for d in documents if len(d))


def describe(documents: Sequence[Document]) -> str:
    """'79 documents, 1,234 segments' — for captions and the CLI."""
    return f"{len(documents)} documents, {sum(len(d) for d in documents):,} segments"


# --- documents for pre-training: plain texts, their sentences, segments of ~max_words words ---


def split_sentences(text: str) -> list[str]:
    """Sentences of a plain-text document for pre-training (TRAINING_SENTENCE_END, good enough for pairs)."""
    sentences = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        sentences.extend(s.strip() for s in TRAINING_SENTENCE_END.split(paragraph) if s.strip())
    return sentences


def document_texts(text: str) -> list[str]:
    """Documents of a pasted text: separated by a line holding only `---`."""
    return [doc.strip() for doc in re.split(r"^\s*---\s*$", text, flags=re.MULTILINE) if doc.strip()]


def make_segments(sentences: list[str], max_words: int) -> list[str]:
    """Group consecutive sentences into segments of at most ~max_words words (one long sentence stays whole)."""
    segments, current, words = [], [], 0
    for sentence in sentences:
        n = len(sentence.split())
        if current and words + n > max_words:
            segments.append(" ".join(current))
            current, words = [], 0
        current.append(sentence)
        words += n
    if current:
        segments.append(" ".join(current))
    return segments


def segment_documents(documents: list[str], max_words: int = 40) -> list[list[str]]:
    """Every document as its list of segments; documents too short for a pair are dropped."""
    segmented = [make_segments(split_sentences(doc), max_words) for doc in documents]
    return [segments for segments in segmented if len(segments) >= 2]


# ---- negative segments: the one rule both NSP pair builders draw with --------------------------------------------

def other_document(rng: random.Random, count: int, doc: int, peers: Sequence[int] | None = None) -> int:
    """A document index other than `doc`: any of `count`, or one of `peers` (A's own source, see
    pretrain.data.source_peers) when given."""
    if peers is None:
        return rng.choice([d for d in range(count) if d != doc])
    other = doc
    while other == doc:
        other = rng.choice(peers)
    return other


def non_adjacent(rng: random.Random, length: int, i: int) -> tuple[int, int] | None:
    """Two segment indices of one document of `length` segments, one of them i, at least two apart, in document
    order (so a same-document negative differs from a positive by adjacency alone, never by order as a swapped
    one does); None when the document has none (i is the middle of three, or it is shorter)."""
    later = list(range(i + 2, length))
    earlier = list(range(0, i - 1))
    if later:
        return i, rng.choice(later)
    if earlier:
        return rng.choice(earlier), i
    return None
