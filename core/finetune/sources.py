"""Where a fine-tune run's examples come from — the demo set, a file (plus an optional validation file), or a
Hugging Face dataset — as one spec that the CLI parses, the app exports, and both load the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core import config
from core.finetune.data import TaskData, load_examples, make_task_data
from core.finetune.demo import demo_data
from core.finetune.hub import HubDataRequest, load_hub_data

HUB_PREFIX = "hf:"


@dataclass(frozen=True)
class DataSpec:
    """A run's data; `data` is "demo", a .csv/.tsv/.jsonl (SQuAD .json) path, or "hf:<dataset id or folder>"."""

    data: str = "demo"
    validation: str = ""  # a validation file for `data` files; "" = held out automatically
    hf_config: str = ""  # hub datasets only: configuration (e.g. "sst2"), splits, column overrides, sample size
    split: str = "train"
    validation_split: str = ""
    columns: str = ""
    max_examples: int = config.HUB_MAX_EXAMPLES

    @property
    def hub_request(self) -> HubDataRequest:
        return HubDataRequest(self.data.removeprefix(HUB_PREFIX).strip(), self.hf_config, self.split,
                              self.validation_split, self.columns, self.max_examples)

    def cli_args(self) -> list[str]:
        """The `python -m core finetune` flags that load this data (for exported jobs)."""
        args = ["--data", self.data]
        if self.validation:
            args += ["--validation", self.validation]
        if self.data.startswith(HUB_PREFIX):
            defaults = DataSpec()
            for flag, value, default in (("--hf-config", self.hf_config, ""), ("--split", self.split, defaults.split),
                                         ("--validation-split", self.validation_split, ""),
                                         ("--columns", self.columns, ""),
                                         ("--max-examples", self.max_examples, defaults.max_examples)):
                if value != default:
                    args += [flag, str(value)]
        return args


def read_file(task: str, path: str) -> list:
    """The examples of a file on disk; ValueError when it is missing."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise ValueError(f"data file {path!r} does not exist (or pass --data demo, or --data hf:<dataset id>)")
    return load_examples(task, file.name, file.read_bytes())


def load_data(task: str, spec: DataSpec, seed: int = 0) -> TaskData:
    """The task's training and validation examples as the spec describes them."""
    if spec.data == "demo":
        return demo_data(task, seed)
    if spec.data.startswith(HUB_PREFIX):
        return load_hub_data(task, spec.hub_request, seed)
    validation = read_file(task, spec.validation) if spec.validation else None
    source = f"file: {spec.data}" + (f" (validation: {spec.validation})" if spec.validation else "")
    return make_task_data(task, read_file(task, spec.data), validation, source, seed)
