"""Narrative English for the bundled model's third build: Jane Austen's six novels, paragraph by paragraph.

Why: the second build's everyday documents (WordNet glosses with their examples, fortunes) are not
narrative, so its NSP head learned topic words but not what makes one sentence follow another in a
story (who "she" is, what happens next). Held-out everyday pairs stayed at 67 % right.

Source, read at build time only (nothing of it is copied into the repository): Debian's
`r-cran-janeaustenr` (the novels' text is in the public domain; the package is MIT), which stores them as
an R lazy-load database. `rdata` (PyPI, MIT) parses R's serialization; this module reads the database's
index and objects around it. Every paragraph of two or more sentences is one document; long sentences are
cut at `;` and dashes into clauses, so a segment reads like the short sentences a learner types.
One document in HELD_OUT_EVERY (a hash of its name) is held out of training, as in pretraining_corpus.
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path

from pretraining_corpus import is_held_out

AUSTEN_DATA = Path("/usr/lib/R/site-library/janeaustenr/data")
NOVELS = ("emma", "mansfieldpark", "northangerabbey", "persuasion", "prideprejudice", "sensesensibility")
CLAUSE_WORDS = 20  # a sentence longer than this is cut into clauses at ; : dashes and ', and' ', which' …
_CLAUSE_END = re.compile(r"(?<=[;:])\s+|\s*--\s*|,\s+(?=(?:and|but|for|which|who|when|though|while|yet|as|if)\s)")
_TITLE = re.compile(r"\b(Mr|Mrs|Dr|St|Col)\.")  # "Mr. Weston" is not two sentences
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"']?\s+(?=[\"'(]?[A-Z])")
_HEADING = re.compile(r"^(CHAPTER|VOLUME|Chapter|BY |By |THE END|FINIS)|^[A-Z\s.,]+$")


def _read_novels(root: Path = AUSTEN_DATA) -> dict[str, list[str]]:
    """{novel: its lines} from the R lazy-load database (index: gzip; each object: 4-byte size + zlib)."""
    import rdata  # build-time only: scripts/requirements-build.txt

    index = rdata.conversion.convert(rdata.parser.parse_data(gzip.decompress((root / "Rdata.rdx").read_bytes())))
    blob = (root / "Rdata.rdb").read_bytes()
    novels = {}
    for name in NOVELS:
        offset, length = (int(v) for v in index["variables"][name])
        data = zlib.decompress(blob[offset + 4:offset + length])
        novels[name] = [str(line) for line in rdata.conversion.convert(rdata.parser.parse_data(data))]
    return novels


def _clauses(sentence: str) -> list[str]:
    """A long sentence as its clauses (each capitalised, ending in punctuation); a short one as it is."""
    if len(sentence.split()) <= CLAUSE_WORDS:
        return [sentence]
    pieces = [p.strip(" ,") for p in _CLAUSE_END.split(sentence) if len(p.split()) >= 3]
    out = []
    for piece in pieces:
        piece = piece.rstrip(";:")
        piece = piece[0].upper() + piece[1:]
        out.append(piece if piece[-1] in ".!?\"'" else piece + ".")
    return out or [sentence]


def paragraph_sentences(lines: list[str]) -> list[list[str]]:
    """Every prose paragraph of a novel as its sentences and clauses (headings and one-liners dropped)."""
    paragraphs, current = [], []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
            continue
        text = _TITLE.sub(r"\1", " ".join(" ".join(current).replace("_", "").split()))
        current = []
        if not text or _HEADING.match(text):
            continue
        sentences = [c for s in _SENTENCE_END.split(text) for c in _clauses(s.strip()) if s.strip()]
        if len(sentences) >= 2:
            paragraphs.append(sentences)
    return paragraphs


def load_austen() -> tuple[str, dict[str, str]]:
    """(source description, {document name: text, one sentence or clause a line... joined by spaces})."""
    if not AUSTEN_DATA.is_dir():
        raise SystemExit("no narrative corpus: apt-get install --no-install-recommends r-cran-janeaustenr")
    documents = {f"austen:{novel}:{i}": " ".join(sentences)
                 for novel, lines in _read_novels().items()
                 for i, sentences in enumerate(paragraph_sentences(lines))}
    return "Jane Austen's six novels (Debian r-cran-janeaustenr; public-domain text, MIT package)", documents


def split_named(documents: dict[str, str]) -> tuple[list[str], list[str]]:
    """(training texts, held-out texts) by the same stable name hash as the other corpora."""
    return ([t for n, t in documents.items() if not is_held_out(n)],
            [t for n, t in documents.items() if is_held_out(n)])
