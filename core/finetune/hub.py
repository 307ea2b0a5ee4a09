"""Fine-tune data from Hugging Face `datasets`: a hub id (when the hub is reachable or the dataset is in the
local datasets cache) or a local folder (`save_to_disk` output, or a folder of CSV/JSON/Parquet files).

Real datasets name their columns in many ways (GLUE's `sentence1`/`sentence2`, CoNLL's `ner_tags`, SQuAD's
`answers` dict) and store labels as integers with names in the features. This module maps them onto the
columns of core/finetune/data.py, turns class ids into names, and hands the rows to the same parser the
file uploads use, so a hub dataset and an uploaded file become the same TaskData.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core import config
from core.finetune.data import COLUMNS, TASK_TITLES, TaskData, check_task, make_task_data, parse_examples
from core.model import loading as models

# Column names seen in popular hub datasets, per role, tried in order (GLUE, IMDB, AG News, CoNLL, SQuAD…).
ROLE_COLUMNS = {
    "text": ("text", "sentence", "content", "review", "document", "tweet"),
    "text_a": ("text_a", "sentence1", "premise", "question1", "question"),
    "text_b": ("text_b", "sentence2", "hypothesis", "question2", "sentence"),
    "label": ("label", "labels", "class", "category", "coarse_label"),
    "tokens": ("tokens", "words"),
    "tags": ("tags", "ner_tags", "pos_tags", "upos", "chunk_tags"),
    "question": ("question",),
    "context": ("context", "passage"),
    "answers": ("answers",),
}
# The roles of a task's columns: those of a data file, except that hub QA sets carry SQuAD's `answers` records.
TASK_ROLES = {**COLUMNS, "qa": ("question", "context", "answers")}
# A dataset folder (its data files, or save_to_disk output) holding more files than this is refused unread.
MAX_FOLDER_FILES = 1000
# Splits tried, in order, as the validation set when the user names none (MNLI calls it validation_matched).
VALIDATION_SPLITS = ("validation", "validation_matched", "dev", "valid")


@dataclass(frozen=True)
class HubDataRequest:
    """Which dataset to read and how; every field has a default a user rarely needs to change."""

    dataset: str  # hub id ("stanfordnlp/imdb", "nyu-mll/glue") or a local folder
    config_name: str = ""  # the dataset's configuration, e.g. "sst2" for GLUE; "" = its default
    train_split: str = "train"
    validation_split: str = ""  # "" = the dataset's own validation split if any, else 10% held out
    columns: str = ""  # overrides as "role=column, …", e.g. "text=review, label=stars"
    max_examples: int = config.HUB_MAX_EXAMPLES  # training examples kept (a shuffled sample); CPUs are slow


def parse_overrides(columns: str) -> dict[str, str]:
    """{"text": "review", …} from "text=review, …"; ValueError for a malformed pair or unknown role."""
    overrides = {}
    for part in filter(None, (p.strip() for p in columns.split(","))):
        role, _, column = (s.strip() for s in part.partition("="))
        if not column or role not in ROLE_COLUMNS:
            raise ValueError(f"column override {part!r}: write role=column with a role among {', '.join(ROLE_COLUMNS)}")
        overrides[role] = column
    return overrides


def column_map(task: str, columns: list[str], overrides: dict[str, str]) -> dict[str, str]:
    """The dataset column that plays each role the task needs; ValueError naming every role no column fills."""
    mapping, missing = {}, []
    for role in TASK_ROLES[check_task(task)]:
        taken = set(mapping.values())
        found = overrides.get(role) or next((c for c in ROLE_COLUMNS[role] if c in columns and c not in taken), None)
        if found in columns:
            mapping[role] = found
        else:
            missing.append(role)
    if missing:
        raise ValueError(
            f"no column for {', '.join(map(repr, missing))} ({TASK_TITLES[task].lower()}): the dataset has "
            f"{', '.join(columns)}; name them with column overrides such as {missing[0]}=<column>")
    return mapping


def _namer(feature):
    """A function turning a stored value into label names (ClassLabel ids → names; others → str)."""
    inner = getattr(feature, "feature", feature)  # a List/Sequence of ClassLabel for token tags
    if hasattr(inner, "int2str"):
        return lambda v: [inner.int2str(int(x)) for x in v] if isinstance(v, list) else inner.int2str(int(v))
    return lambda v: [str(x) for x in v] if isinstance(v, list) else str(v)


def to_rows(task: str, dataset, mapping: dict[str, str]) -> list[dict]:
    """Rows with the upload parser's column names (text/label, tokens/tags, question/context/answer…)."""
    label_role = {"sentence": "label", "pair": "label", "token": "tags"}.get(task)
    name = _namer(dataset.features[mapping[label_role]]) if label_role else None
    rows = []
    for number, record in enumerate(dataset, start=1):
        row = {role: record[column] for role, column in mapping.items()}
        if label_role:
            if _unlabelled(row[label_role]):
                raise ValueError(f"row {number} has no label (-1): this split is unlabelled — pick another split")
            row[label_role] = name(row[label_role])
        rows.append(_squad_answer(row) if task == "qa" else _renamed(task, row))
    return rows


def _unlabelled(value) -> bool:
    return value == -1 or (isinstance(value, list) and -1 in value)


def _renamed(task: str, row: dict) -> dict:
    return {"text": row.pop("text"), **row} if task == "sentence" else row


def _squad_answer(row: dict) -> dict:
    """SQuAD's {"text": [...], "answer_start": [...]} → the first answer; none at all = no answer (v2)."""
    answers = row.pop("answers") or {}
    texts, starts = answers.get("text") or [], answers.get("answer_start") or []
    return row | ({"answer": texts[0], "answer_start": starts[0]} if texts else {"answer": ""})


def open_dataset(request: HubDataRequest):
    """The DatasetDict (or Dataset) behind a request; ValueError with a way forward when it cannot be read."""
    import datasets

    location = Path(request.dataset).expanduser()
    try:
        if location.is_dir() and any((location / f).exists() for f in ("dataset_dict.json", "state.json")):
            return datasets.load_from_disk(str(location))
        if not location.is_dir():
            _check_hub(request.dataset)
        else:
            check_folder_size(location)
        return datasets.load_dataset(str(location) if location.is_dir() else request.dataset,
                                     request.config_name or None)
    except ValueError as err:  # datasets says which configurations exist, e.g. "Config name is missing"
        raise ValueError(f"dataset {request.dataset!r}: {str(err).splitlines()[0]}") from err
    except ConnectionError as err:  # offline mode, or the hub went away mid-download
        raise ValueError(f"dataset {request.dataset!r} is neither reachable on the Hugging Face hub nor in the local "
                         "datasets cache: upload a file or use the demo set") from err
    except (OSError, ImportError) as err:  # e.g. FileNotFoundError for an id that does not exist
        raise ValueError(f"could not load dataset {request.dataset!r}: {str(err).splitlines()[0] or type(err).__name__}"
                         " — check the id (and configuration), or upload a file instead") from err


def check_folder_size(folder: Path) -> None:
    """ValueError when a dataset folder holds more than MAX_FOLDER_FILES files: `datasets` would scan (and hash)
    all of them, for minutes, before finding out whether they are a dataset. Counting stops one file over."""
    limit, seen = MAX_FOLDER_FILES, 0
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                    continue
                seen += 1
                if seen > limit:
                    raise ValueError(f"folder {folder.name!r} holds more than {limit:,} files, which is not one "
                                     "dataset: name the folder that holds the dataset's own CSV/JSON/Parquet files")


def _check_hub(dataset_id: str) -> None:
    """Fail fast when the hub cannot answer: `datasets` would retry for about 25 s before giving up. In offline
    mode (HF_HUB_OFFLINE=1) `datasets` reads its local cache without the network, so that is left to it."""
    if models.hub_offline_mode() or models.hub_reachable():
        return
    raise ValueError(f"the Hugging Face hub is not reachable, so dataset {dataset_id!r} cannot be downloaded: "
                     "upload a file, use the demo set, or set HF_HUB_OFFLINE=1 to read datasets you have cached")


def pick_split(splits, wanted: str, fallback: tuple[str, ...] = ()) -> str | None:
    """The named split, else the first fallback the dataset has (None when it has none)."""
    names = list(splits)
    if wanted:
        if wanted not in names:
            raise ValueError(f"the dataset has no split {wanted!r}: it has {', '.join(names)}")
        return wanted
    return next((n for n in fallback if n in names), None)


def load_hub_data(task: str, request: HubDataRequest, seed: int = 0) -> TaskData:
    """A task's training and validation examples from a hub id or dataset folder (a sample of max_examples)."""
    check_task(task)
    if request.max_examples < 4:
        raise ValueError("keep at least 4 examples")
    opened = open_dataset(request)
    splits = opened if hasattr(opened, "keys") else {"train": opened}
    train_split = pick_split(splits, request.train_split or "train")
    validation_split = pick_split(splits, request.validation_split, VALIDATION_SPLITS)
    mapping = column_map(task, splits[train_split].column_names, parse_overrides(request.columns))

    def examples(split: str, limit: int) -> list:
        sample = splits[split].shuffle(seed=seed).select(range(min(limit, len(splits[split]))))
        try:
            return parse_examples(task, to_rows(task, sample, mapping))
        except ValueError as err:
            raise ValueError(f"{request.dataset} [{split}]: {err}") from err

    train = examples(train_split, request.max_examples)
    validation = examples(validation_split, max(1, request.max_examples // 5)) if validation_split else None
    described = f"{request.dataset}{'/' + request.config_name if request.config_name else ''}"
    return make_task_data(task, train, validation, f"Hugging Face dataset {described} ({train_split})", seed)
