"""The offline English corpus the bundled model is pre-trained on: the Python 3 documentation.

Source: Debian package python3-doc (`apt-get install python3-doc`, HTML under /usr/share/doc/python3-doc/html),
licensed under the PSF License Agreement and the Zero-Clause BSD licence for its documentation; when the
package is missing, the same documentation's topic texts shipped inside Python (`pydoc_data.topics`, PSF).
Only the prose paragraphs (<p>) are kept: code samples, tables and navigation are dropped. The corpus
is read at build time only; nothing of it is copied into the repository.
"""

from __future__ import annotations

import hashlib
import html.parser
from pathlib import Path

PYTHON_DOC_HTML = Path("/usr/share/doc/python3-doc/html")
DOC_SECTIONS = ("tutorial", "library", "reference", "howto", "faq", "using", "extending", "c-api",
                "whatsnew", "installing", "distributing", "install")
HELD_OUT_EVERY = 20  # one document in 20 (chosen by a hash of its name) is never trained on


class _ParagraphParser(html.parser.HTMLParser):
    """Collects the text of <p> elements, skipping code inside them."""

    def __init__(self):
        super().__init__()
        self.paragraphs: list[str] = []
        self._depth, self._parts = 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self._depth, self._parts = 1, []

    def handle_endtag(self, tag):
        if tag == "p" and self._depth:
            text = " ".join("".join(self._parts).split())
            if len(text.split()) >= 5:
                self.paragraphs.append(text)
            self._depth = 0

    def handle_data(self, data):
        if self._depth:
            self._parts.append(data)


def html_documents(root: Path = PYTHON_DOC_HTML) -> dict[str, str]:
    """One document per documentation page: its prose paragraphs separated by blank lines."""
    documents = {}
    for section in DOC_SECTIONS:
        for page in sorted((root / section).rglob("*.html")):
            parser = _ParagraphParser()
            parser.feed(page.read_text(encoding="utf-8", errors="replace"))
            if len(parser.paragraphs) >= 3:
                documents[str(page.relative_to(root))] = "\n\n".join(parser.paragraphs)
    return documents


def pydoc_documents() -> dict[str, str]:
    """Fallback: the documentation's topic texts that ship with Python itself."""
    from pydoc_data.topics import topics

    return {f"pydoc:{name}": text for name, text in sorted(topics.items())}


def load_corpus() -> tuple[str, dict[str, str]]:
    """(source description, {document name: text}) — the HTML docs when installed, else pydoc topics."""
    if PYTHON_DOC_HTML.is_dir():
        return "Python 3 documentation (Debian python3-doc, PSF License)", html_documents()
    return "Python 3 documentation topics (pydoc_data.topics, PSF License)", pydoc_documents()


def is_held_out(name: str) -> bool:
    """Whether a document belongs to the evaluation set (a stable hash, independent of file order)."""
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % HELD_OUT_EVERY == 0


def split_corpus(documents: dict[str, str]) -> tuple[list[str], list[str]]:
    """(training texts, held-out texts), whole documents on either side."""
    train = [text for name, text in documents.items() if not is_held_out(name)]
    held_out = [text for name, text in documents.items() if is_held_out(name)]
    return train, held_out
