"""Everyday English for the bundled model's second build: WordNet's glosses and examples, and fortune cookies.

Sources, read at build time only (nothing of them is copied into the repository):
- Debian `wordnet-base` (WordNet 3.0, Princeton's WordNet licence, which allows use, copying and
  modification for any purpose): every synset that has example sentences becomes one short document,
  its gloss followed by its examples ("a tangible and visible entity. It was full of rackets, balls and
  other objects."), so adjacent segments share a topic as NSP positives need.
- Debian `fortunes` and `fortunes-min` (BSD licence; the offensive collection is a separate package and
  is not read): every fortune of two sentences or more from the files in FORTUNE_FILES is one document.
  Files of ASCII art, computer jargon and those Debian marks as touching on ethnicity, gender or drugs
  are left out.
One document in HELD_OUT_EVERY (a hash of its name) is held out of training, as in pretraining_corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pretraining_corpus import is_held_out

WORDNET = Path("/usr/share/wordnet")
FORTUNES = Path("/usr/share/games/fortunes")
FORTUNE_FILES = ("art", "cookie", "definitions", "education", "food", "fortunes", "goedel", "humorists", "kids",
                 "law", "literature", "love", "magic", "medicine", "miscellaneous", "news", "people", "pets",
                 "platitudes", "politics", "riddles", "science", "songs-poems", "sports", "wisdom", "work")
MAX_FORTUNE_WORDS = 120  # longer fortunes are mostly lists, verses and dialogues


def _sentence(text: str) -> str:
    """A clause as a sentence: capitalised, ending in punctuation (so the sentence splitter sees it)."""
    text = " ".join(text.strip().strip('"').split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _glosses(root: Path) -> Iterator[tuple[str, list[str]]]:
    """("wordnet:part:offset", the gloss's pieces split at ';') for every synset of the four parts of speech."""
    for part in ("noun", "verb", "adj", "adv"):
        for line in (root / f"data.{part}").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("  ") or "|" not in line:  # the licence header
                continue
            offset, gloss = line.split(" ", 1)[0], line.split("|", 1)[1]
            yield f"wordnet:{part}:{offset}", [p.strip() for p in gloss.split(";") if p.strip()]


def wordnet_documents(root: Path = WORDNET) -> dict[str, str]:
    """{synset name: gloss + examples} for every synset with at least one example sentence."""
    documents = {}
    for name, pieces in _glosses(root):
        examples = [p for p in pieces if p.startswith('"')]
        definition = "; ".join(p for p in pieces if not p.startswith('"'))
        if examples and definition:
            documents[name] = " ".join(_sentence(s) for s in [definition, *examples])
    return documents


def wordnet_example_documents(root: Path = WORDNET) -> dict[str, list[str]]:
    """{synset name: its example sentences} for synsets with two or more examples of four words or more.

    The fourth build's topic pairs: two examples of one sense share a topic in today's register ("He drank a
    glass of wine." / "The wine was too sweet."), and an example of another sense is an everyday sentence
    on another topic, which is what the held-out everyday negatives are. Named as wordnet_documents names the
    synset, so a held-out synset is held out of both.
    """
    documents = {}
    for name, pieces in _glosses(root):
        examples = [e for e in (_sentence(p) for p in pieces if p.startswith('"')) if len(e.split()) >= 4]
        if len(examples) >= 2:
            documents[name] = examples
    return documents


def _clean_fortune(text: str) -> str:
    """One fortune as prose: attribution lines and tabs go, whitespace is collapsed."""
    lines = [line for line in text.splitlines() if not line.strip().startswith("--")]
    return " ".join(" ".join(lines).split())


def fortune_documents(root: Path = FORTUNES) -> dict[str, str]:
    """{file:index: fortune} for prose fortunes of two or more sentences."""
    documents = {}
    for name in FORTUNE_FILES:
        path = root / name
        if not path.is_file():
            continue
        for index, raw in enumerate(re.split(r"^%$", path.read_text(encoding="utf-8", errors="replace"),
                                             flags=re.MULTILINE)):
            text = _clean_fortune(raw)
            letters = sum(c.isalpha() or c.isspace() for c in text)
            if not text or len(text.split()) > MAX_FORTUNE_WORDS or letters < 0.85 * len(text):
                continue
            if len(re.findall(r"[.!?](\s|$)", text)) >= 2:
                documents[f"fortune:{name}:{index}"] = text
    return documents


def load_everyday() -> tuple[str, dict[str, str]]:
    """(source description, {document name: text}); raises when neither package is installed."""
    documents = {**wordnet_documents(), **fortune_documents()} if WORDNET.is_dir() else fortune_documents()
    if not documents:
        raise SystemExit("no everyday corpus: apt-get install wordnet-base fortunes fortunes-min")
    return ("WordNet 3.0 glosses + examples (Debian wordnet-base, WordNet licence); fortunes (Debian fortunes, "
            "fortunes-min, BSD; offensive set not read)"), documents


def split_named(documents: dict[str, str]) -> tuple[list[str], list[str]]:
    """(training texts, held-out texts) by the same stable name hash as the Python docs."""
    return ([t for n, t in documents.items() if not is_held_out(n)],
            [t for n, t in documents.items() if is_held_out(n)])
