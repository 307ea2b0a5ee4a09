"""LoRA adapters (Hu et al. 2021) for the fine-tune runner, through the `peft` library.

A rank-r adapter freezes every weight of the base model and learns, for each linear layer W of the encoder
(query, key, value and the dense layers), a low-rank change B·A with A: r × d_in and B: d_out × r, plus the
new task head whole. The change is small to store (the ready-made task models ship as adapters over
`bundled`, see core/model/ready.py) and is merged into W for inference, so a saved model is an ordinary
Hugging Face folder that every view loads like any other; the adapter's own tensors are saved beside it.
"""

from __future__ import annotations

import copy
import json

import torch
from peft import LoraConfig, PeftModel, get_peft_model, get_peft_model_state_dict, set_peft_model_state_dict
from safetensors.torch import load, save

# The linear layers of a BERT-family encoder the adapter changes (the pooler's dense layer included).
TARGET_MODULES = ("query", "key", "value", "dense")
# The task heads, trained whole: sentence/pair/token classifiers and the QA start/end layer.
HEAD_MODULES = ("classifier", "qa_outputs")
# Not peft's own names: transformers takes a folder holding adapter_config.json for a bare peft adapter.
ADAPTER_WEIGHTS, ADAPTER_CONFIG = "lora.safetensors", "lora.json"


def lora_config(rank: int) -> LoraConfig:
    """Rank r, scaling alpha = 2r (the change B·A is multiplied by alpha / r = 2), no dropout."""
    return LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0, target_modules=list(TARGET_MODULES),
                      modules_to_save=[m for m in HEAD_MODULES])


def wrap(model, rank: int) -> PeftModel:
    """The model with a fresh rank-r adapter: only the adapter and the head have requires_grad."""
    return get_peft_model(model, lora_config(rank))


def merged_copy(model: PeftModel):
    """A plain model with the adapter folded into its weights (the training copy keeps its adapter)."""
    return copy.deepcopy(model).merge_and_unload()


def adapter_files(model: PeftModel, rank: int) -> dict[str, bytes]:
    """The adapter's tensors and settings as files to save next to the merged model."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in get_peft_model_state_dict(model).items()}
    settings = {"rank": rank, "alpha": 2 * rank, "target_modules": list(TARGET_MODULES)}
    return {ADAPTER_WEIGHTS: save(tensors), ADAPTER_CONFIG: json.dumps(settings, indent=1).encode()}


def apply(model, weights: bytes, rank: int):
    """Merge stored adapter tensors (safetensors bytes) into a freshly loaded base model; returns the plain model."""
    wrapped = wrap(model, rank)
    tensors = {k: v.float() for k, v in load(weights).items()}
    result = set_peft_model_state_dict(wrapped, tensors)
    unexpected = [k for k in getattr(result, "unexpected_keys", []) if "lora_" in k or "modules_to_save" in k]
    if unexpected:
        raise ValueError(f"the adapter does not fit this model: {unexpected[0]} …")
    with torch.no_grad():
        return wrapped.merge_and_unload()
