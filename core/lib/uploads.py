"""Uploaded and user-given files: a size limit per purpose and strict UTF-8 decoding.

Streamlit refuses uploads over `server.maxUploadSize` (200 MB, .streamlit/config.toml), and each page's
uploader is given that page's smaller limit (core/config.py): as much as the page can parse and use in
reasonable time on a CPU. The uploader's limit is checked in the browser only, so the core checks it again.
A binary, UTF-16 or non-UTF-8 file gets a message saying what it looks like and how to save it — never a
codec traceback, and never text silently garbled by replacement characters.
"""

from __future__ import annotations

from collections.abc import Sequence

# Streamlit's upload limits count MB of 2^20 bytes; so do ours, so the two always agree.
MB = 1024 * 1024
# Leading bytes of files people upload by mistake, and what they are.
SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (an Excel .xlsx or Word .docx file is one)",
    b"\xd0\xcf\x11\xe0": "an old Office document (.xls or .doc)",
}
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# A NUL byte in the first this-many bytes marks a binary file (text never holds one).
BINARY_PROBE_BYTES = 8192
SAVE_AS_UTF8 = "save it as UTF-8 text (Excel: 'CSV UTF-8'; a text editor: encoding UTF-8)"


def check_size(name: str, size: int, max_mb: int, advice: str, plural: bool = False) -> None:
    """ValueError when a file (or several together) is over a purpose's limit, saying the limit and what to do."""
    if size > max_mb * MB:
        raise ValueError(f"{name} {'are' if plural else 'is'} over this page's limit of {max_mb} MB — {advice}")


def binary_kind(content: bytes) -> str | None:
    """What a binary file looks like ('a PNG image', 'a binary file'); None for anything that may be text."""
    for signature, kind in SIGNATURES.items():
        if content.startswith(signature):
            return kind
    if not content.startswith(UTF16_BOMS) and b"\x00" in content[:BINARY_PROBE_BYTES]:
        return "a binary file"
    return None


def decode_text(name: str, content: bytes) -> str:
    """The UTF-8 text of a file (a byte-order mark is dropped); ValueError naming the file when it is not text."""
    kind = binary_kind(content)
    if kind:
        raise ValueError(f"{name} looks like {kind}, not a text file — upload plain text saved as UTF-8")
    if content.startswith(UTF16_BOMS):
        raise ValueError(f"{name} is UTF-16 text — {SAVE_AS_UTF8}")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = content.count(b"\n", 0, err.start) + 1
        raise ValueError(f"{name} is not UTF-8 text (byte 0x{content[err.start]:02x} on line {line}, e.g. Latin-1 "
                         f"or Windows-1252) — {SAVE_AS_UTF8}") from None


def read_text_files(files: Sequence[tuple[str, bytes]], max_mb: int, advice: str) -> list[tuple[str, str]]:
    """(name, text) of several text files whose total size is within max_mb; an empty file is named."""
    label = files[0][0] if len(files) == 1 else f"these {len(files)} files together"
    check_size(label, sum(len(content) for _, content in files), max_mb, advice, plural=len(files) > 1)
    texts = []
    for name, content in files:
        text = decode_text(name, content)
        if not text.strip():
            raise ValueError(f"{name} is empty — remove it, or upload a file with text in it")
        texts.append((name, text))
    return texts
