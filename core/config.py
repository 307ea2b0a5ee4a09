"""Constants and environment-driven settings shared by the core, the app and the CLI."""

from __future__ import annotations

import os
from pathlib import Path

# BERT's learned position table has 512 rows; no input is ever longer than this.
MAX_SEQ_LEN = 512

# The model a newcomer sees first when it can be loaded without waiting on the network.
DEFAULT_MODEL_ID = os.environ.get("BERT_EXPLORER_DEFAULT_MODEL", "bert-base-uncased")

# The alias that always means the offline model shipped with the project.
BUNDLED_ALIAS = "bundled"

# Where models the project trains (fine-tune, pre-train) are kept, one folder per alias.
HOME = Path(os.environ.get("BERT_EXPLORER_HOME", Path.home() / ".cache" / "bert-explorer"))
MODELS_HOME = HOME / "models"
# The checkout: assets/ (the bundled model) and bench/data (held-out sets) are read from here.
REPO_ROOT = Path(__file__).resolve().parent.parent
# Memory budgets of the process-wide result caches (core/lib/lru.py counts the numpy arrays and strings a result
# holds), besides their entry counts; each cache always keeps its newest result, however big.
# One-pass analyses (core/model/forward.py; the MLM page's masked copies, core/mlm/fill_mask.py, have their own
# budget of the same size). An analysis keeps hidden states and attentions (never the MLM logits over the whole
# vocabulary: forward.mlm_logits_at computes the rows a view shows): ≈ 1.5 MB for a 20-token pair with `bundled`,
# 80 MB at 512 tokens (76 MB of it attentions), ≈ 175 MB with bert-base. Without a budget the 64 entries could reach
# several GB; 256 MB keeps three 512-token analyses of `bundled` plus the short ones.
ANALYSIS_CACHE_MB = int(os.environ.get("BERT_EXPLORER_ANALYSIS_CACHE_MB", "256"))
# Every other result cache (derived views, probes, scores; core.lib.lru.model_cache and LRUCache by default), each:
# a bertviz page at 512 tokens is 10–17 MB of HTML, q·k of every head 9 MB (bundled) to 38 MB (bert-base).
RESULT_CACHE_MB = int(os.environ.get("BERT_EXPLORER_RESULT_CACHE_MB", "64"))
# All of those caches together, analyses included: past this the least recently used result of any cache goes
# (each keeps its newest). Measured with bench/bench_app.py's walk of 20-512-token inputs over six pages: the server's
# RSS stays within about 1.3x of the RSS after loading `bundled` (one 512-token analysis is 80 MB).
CACHE_TOTAL_MB = int(os.environ.get("BERT_EXPLORER_CACHE_TOTAL_MB", "160"))

# A file or folder name has at most this many bytes on common filesystems (NAME_MAX); longer names are refused
# with a message before any file is looked at.
MAX_NAME_PART_BYTES = 255
# Longest name a trained model may be saved as: its hidden staging folder adds up to ~90 characters (see
# core/checkpoints.py), which must still fit in one folder name.
MAX_ALIAS_BYTES = 100
# Folders besides MODELS_HOME whose models and datasets a browser user may name, separated like PATH
# (BERT_EXPLORER_DATA_ROOTS=/data/models:/data/datasets); any other path typed in the browser is refused.
# The command line reads any path.
DATA_ROOTS = tuple(Path(p).expanduser() for p in os.environ.get("BERT_EXPLORER_DATA_ROOTS", "").split(os.pathsep)
                   if p.strip())

# A hub probe longer than this would make an offline newcomer wait; the answer is cached per process.
HUB_PROBE_TIMEOUT_S = float(os.environ.get("BERT_EXPLORER_HUB_TIMEOUT", "1.5"))
HUB_HOST = "huggingface.co"
# Training examples a Hugging Face dataset contributes by default: minutes, not hours, of CPU fine-tuning.
HUB_MAX_EXAMPLES = 2000

# Model types whose encoders have BERT's shape (token/position(/segment) embeddings + encoder stack).
BERT_FAMILY = ("bert", "albert", "roberta", "xlm-roberta", "electra", "distilbert", "camembert")

# The ready-made task models shipped offline (assets/task_models/<name>): `bundled` fine-tuned by this project's
# runner, stored as a small LoRA adapter over it. Each of the four ways to use BERT (note section 4) opens with
# one: the pair task reads `bundled`'s own next-sentence head.
READY_MODELS = {
    "sentence": "bundled-sentiment",  # positive / negative
    "token": "bundled-ner",  # CoNLL tags: B-/I- PER, LOC, ORG, MISC, and O
    "pair": BUNDLED_ALIAS,  # the pre-trained NSP head: is B the sentence after A?
    "qa": "bundled-qa",  # question + passage → answer span, or no answer
}
READY_ALIASES = tuple(alias for alias in READY_MODELS.values() if alias != BUNDLED_ALIAS)

# Offered in the model picker; any other hub id or folder can be typed in.
SUGGESTED_MODELS = (
    BUNDLED_ALIAS,
    *READY_ALIASES,
    "bert-base-uncased",
    "bert-large-uncased",
    "bert-base-chinese",
    "albert-base-v2",
    "deepset/bert-base-cased-squad2",
    "dslim/bert-base-NER",
    "textattack/bert-base-uncased-SST-2",
)

# Organisation-less hub ids of the BERT family (bert-base-uncased, roberta-large, albert-base-v2 …). A model
# trained here is never saved under such a name (nor a suggested one): the alias would take the id over for
# every session and the CLI.
HUB_ID_LOOKALIKE = r"^(bert|roberta|albert|distilbert|distilroberta|xlm-roberta|camembert)-" \
                   r"(base|large|xlarge|xxlarge|small|medium|mini|tiny|multilingual)\b"

# Training jobs browser sessions may run at once on the server (each session runs at most one); the CLI runs
# its work in the foreground and is not counted.
MAX_RUNNING_JOBS = int(os.environ.get("BERT_EXPLORER_MAX_JOBS", "2"))

# CPU threads (the thread policy, core/lib/threads.py). The cores this process may use; an analysis (one forward
# pass a visitor waits for) uses all of them; the training jobs running at once share them, each re-taking its share
# every step (one job: every core; two: half each), so jobs never ask for more threads than there are cores
# (measured on 2 cores under load, one thread was 2.4x faster than two fighting for the same core).
# BERT_EXPLORER_JOB_THREADS fixes a job's count instead.
CPU_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
ANALYSIS_THREADS = int(os.environ.get("BERT_EXPLORER_ANALYSIS_THREADS", CPU_CORES))
JOB_THREADS = int(os.environ["BERT_EXPLORER_JOB_THREADS"]) if os.environ.get("BERT_EXPLORER_JOB_THREADS") else None

# Load the default model and analyse the example pair when the server starts (ui/preload.py), not on the first
# visit; 0 skips it.
PRELOAD = os.environ.get("BERT_EXPLORER_PRELOAD", "1") != "0"

# Example pair shown on first visit.
DEFAULT_TEXT_A = "The man went to the store to buy a gallon of milk."
DEFAULT_TEXT_B = "He paid for it with cash at the counter."
# Masked on the Masked words page while the sentences are the example pair, so the first visit shows a prediction
# that reads both sides ("The man [MASK] to the store": bundled's top-1 is "went"; tests/core/test_everyday.py).
DEFAULT_MASKED_WORD = "went"
# The Next sentence page's second candidate for sentence B: unrelated to the example's sentence A.
DEFAULT_OTHER_B = "Penguins live in the southern hemisphere."

# Uploads, in MB as Streamlit counts them (2^20 bytes). Streamlit refuses files over server.maxUploadSize
# (200 MB, .streamlit/config.toml) by itself; each page's uploader gets a smaller limit, what the page can parse
# and use in reasonable time on a CPU (parsing 150 MB of CSV takes ~7 s and ~1 GB of memory, on every rerun of
# the page). The core checks the same limits again; the command line has none.
# Fine-tune data: SQuAD 2.0's training set (42 MB) fits.
FINETUNE_UPLOAD_MAX_MB = 50
# NSP batch scoring: pairs per file (minutes of CPU time with a BERT-Base) and the file size that can hold them.
NSP_BATCH_MAX_PAIRS = 5_000
NSP_BATCH_UPLOAD_MAX_MB = 5
# Documents for pre-training or the NSP negatives experiment: per file in the uploader, all files together in
# the core (a 400-step pre-training run reads well under 1 MB).
DOCUMENTS_UPLOAD_MAX_MB = 20
