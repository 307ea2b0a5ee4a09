"""Uploaded files (core/lib/uploads.py and the readers built on it): binary, UTF-16 and non-UTF-8 files are named
with what they look like, empty files are named, and each page's size limit is checked before any parsing."""

import time

import pytest

from core import config, corpus
from core.finetune import data as finetune_data
from core.lib import uploads
from core.nsp import batch as nsp_batch
from core.pretrain import runs as pretraining_runs
from tests.helpers import PNG


@pytest.mark.parametrize("content, words", [
    (PNG, "looks like a PNG image"),
    (b"PK\x03\x04" + bytes(40), "ZIP archive (an Excel .xlsx"),
    (b"%PDF-1.7\n" + bytes(range(256)), "PDF document"),
    (b"text,label\x00\x01\x02", "looks like a binary file"),
    ("text,label\n".encode("utf-16"), "is UTF-16 text"),
    ("text,label\nun café,positive\n".encode("cp1252"), "byte 0xe9 on line 2"),
])
def test_files_that_are_not_utf8_text_are_named_with_what_they_look_like(content, words):
    with pytest.raises(ValueError, match="reviews.csv") as err:
        uploads.decode_text("reviews.csv", content)
    assert words in str(err.value) and "UTF-8" in str(err.value)


def test_utf8_text_decodes_and_its_byte_order_mark_is_dropped():
    assert uploads.decode_text("a.csv", "\ufefftext,label\ncafé,x\n".encode()) == "text,label\ncafé,x\n"


def test_several_files_are_checked_together_and_an_empty_one_is_named():
    files = [("a.txt", b"x" * (3 * uploads.MB)), ("b.txt", b"y" * (3 * uploads.MB))]
    with pytest.raises(ValueError, match="these 2 files together are over this page's limit of 5 MB — do less"):
        uploads.read_text_files(files, 5, "do less")
    with pytest.raises(ValueError, match="blank.txt is empty"):
        uploads.read_text_files([("a.txt", b"hello"), ("blank.txt", b" \n ")], 5, "")
    assert uploads.read_text_files([], 5, "") == []


@pytest.fixture(scope="module")
def big() -> bytes:
    """190 MB of CSV: under Streamlit's 200 MB server limit, over every page's own limit."""
    return b"text,label\n" + b"a sentence about the river bank,positive\n" * (190 * uploads.MB // 41)


@pytest.mark.parametrize("read, limit", [
    (lambda big: finetune_data.load_upload("sentence", "big.csv", big), config.FINETUNE_UPLOAD_MAX_MB),
    (lambda big: nsp_batch.read_upload("big.tsv", big), config.NSP_BATCH_UPLOAD_MAX_MB),
    (lambda big: pretraining_runs.read_uploaded_documents([("big.txt", big)]), config.DOCUMENTS_UPLOAD_MAX_MB),
    (lambda big: corpus.read_uploads([("big.txt", big)]), config.DOCUMENTS_UPLOAD_MAX_MB),
], ids=["finetune", "nsp_batch", "pretrain", "nsp_negatives"])
def test_a_big_file_under_streamlits_limit_is_refused_by_each_page_limit_before_parsing(big, read, limit):
    """The uploaders refuse it in the browser; a client that skips that check meets the same limit here, at
    once and without parsing (parsing 150 MB of CSV takes ~7 s and ~1 GB)."""
    started = time.process_time()  # CPU time: a loaded machine does not make it fail
    with pytest.raises(ValueError, match=f"big.(csv|tsv|txt) is over this page's limit of {limit} MB — .*python -m core"):
        read(big)
    assert time.process_time() - started < 1.0


def test_nsp_batch_refuses_more_pairs_than_the_page_scores_and_names_the_file():
    text = "the man went\the paid\t1\n" * (config.NSP_BATCH_MAX_PAIRS + 1)
    with pytest.raises(ValueError, match=f"pairs.tsv: the file holds {config.NSP_BATCH_MAX_PAIRS + 1:,} pairs"):
        nsp_batch.read_upload("pairs.tsv", text.encode())
    assert len(nsp_batch.parse_pairs(text)) == config.NSP_BATCH_MAX_PAIRS + 1  # the CLI has no limit
    with pytest.raises(ValueError, match="pairs.jsonl: line 1: not a JSON object"):
        nsp_batch.read_upload("pairs.jsonl", b"{oops\n")
    assert len(nsp_batch.read_upload("pairs.tsv", b"the man went\the paid\t1\n")) == 1


