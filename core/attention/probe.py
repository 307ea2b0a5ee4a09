"""Extra model runs for the attention view: query/key vectors of every head, and head ablation.

Note section 1: inside each encoder, multi-head self-attention scores token j for token i as
q_i · k_j / √d and turns each row of scores into weights with a softmax. Forward hooks on the
model's own `query` / `key` projections record q and k; a forward hook on the self-attention module
multiplies each head's output by a gate (what the old `head_mask` argument did): 0 switches a head off, and a
gate that requires grad gives the loss's gradient per head (Michel et al. 2019's head importance, core/findings).
No model code is copied.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from core.lib.lru import LRUCache
from core.lib.numerics import softmax
from core.model import forward
from core.model.forward import model_inputs
from core.model.inputs import EncodedInput
from core.model.layers import attention_layer_label
from core.model.loading import LoadedModel

# How many probe results (q/k captures, ablation runs) the process keeps.
CACHE_SIZE = 16
# MLM predictions shown per masked position in the ablation comparison.
TOP_K = 5


@dataclass(frozen=True)
class QueryKey:
    """Query and key vectors of every layer and head for one input."""

    tokens: list[str]  # (seq,)
    queries: np.ndarray  # (layers, heads, seq, head_dim) q = W_q·h + b_q, split per head
    keys: np.ndarray  # (layers, heads, seq, head_dim)

    def scores(self, layer: int, head: int) -> np.ndarray:
        """Scaled dot products q_i·k_j/√d before the softmax. (seq, seq)"""
        q, k = self.queries[layer, head], self.keys[layer, head]
        return q @ k.T / np.sqrt(q.shape[-1])

    def weights(self, layer: int, head: int) -> np.ndarray:
        """Softmax of the scores: the attention weights this head uses. (seq, seq)"""
        return softmax(self.scores(layer, head))


@dataclass(frozen=True)
class Prediction:
    """Top MLM guesses at one position."""

    position: int
    tokens: list[str]  # (TOP_K,)
    probabilities: list[float]  # (TOP_K,)


@dataclass(frozen=True)
class AblationResult:
    """The intact model next to the model with some heads switched off, on the same input."""

    heads: tuple[tuple[int, int], ...]  # (layer, head) pairs switched off
    tokens: list[str]  # (seq,)
    hidden_cosine: np.ndarray  # (seq,) cosine similarity of last hidden states, intact vs ablated
    intact_predictions: list[Prediction]  # at [MASK] positions, else every non-special position
    ablated_predictions: list[Prediction]
    p_is_next_intact: float | None  # P(B follows A) from a real NSP head
    p_is_next_ablated: float | None


def _self_attention_modules(loaded: LoadedModel) -> list[torch.nn.Module]:
    """Each encoder layer's self-attention module (holding `query` and `key`), in order."""
    layers = getattr(getattr(loaded.encoder, "encoder", None), "layer", None)
    modules = [getattr(getattr(layer, "attention", None), "self", None) for layer in (layers or [])]
    if not modules or any(m is None or not hasattr(m, "query") or not hasattr(m, "key") for m in modules):
        raise ValueError(
            f"{loaded.name!r} ({loaded.config.model_type}) does not have BERT-style attention layers "
            "(encoder.layer[i].attention.self with query/key); this view supports BERT, RoBERTa and ELECTRA"
        )
    return modules


def _encode(loaded: LoadedModel, text_a: str, text_b: str | None) -> EncodedInput:
    return forward.encode_for(loaded, text_a, text_b)


# Query/key captures and ablation runs, keyed by model + input + chosen heads.
_CACHE: LRUCache = LRUCache(CACHE_SIZE)


def _split_heads(output: torch.Tensor, num_heads: int) -> np.ndarray:
    """(1, seq, heads·d) -> (heads, seq, d)"""
    seq = output.shape[1]
    return output[0].reshape(seq, num_heads, -1).permute(1, 0, 2).float().cpu().numpy()


def _capture_query_key(loaded: LoadedModel, encoded: EncodedInput) -> QueryKey:
    num_heads = loaded.config.num_attention_heads
    captured: dict[tuple[int, str], np.ndarray] = {}
    handles = []
    for layer, module in enumerate(_self_attention_modules(loaded)):
        for name in ("query", "key"):
            def hook(_module, _inputs, output, key=(layer, name)):
                captured[key] = _split_heads(output.detach(), num_heads)

            handles.append(getattr(module, name).register_forward_hook(hook))
    try:
        with torch.no_grad():
            loaded.encoder(**model_inputs(loaded, encoded))
    finally:
        for handle in handles:
            handle.remove()
    layers = range(len(handles) // 2)
    return QueryKey(
        tokens=list(encoded.tokens),
        queries=np.stack([captured[(layer, "query")] for layer in layers]),
        keys=np.stack([captured[(layer, "key")] for layer in layers]),
    )


def query_key(loaded: LoadedModel, text_a: str, text_b: str | None = None) -> QueryKey:
    """q and k of every layer and head, captured with forward hooks (cached per model + input)."""
    encoded = _encode(loaded, text_a, text_b)
    key = ("qk", loaded.load_id, encoded.text_a, encoded.text_b)
    return _CACHE.get_or_run(key, lambda: _capture_query_key(loaded, encoded))


@contextmanager
def heads_switched_off(loaded: LoadedModel, heads: tuple[tuple[int, int], ...]):
    """Zero the chosen heads' slices of each self-attention output (before the output projection)."""
    num_layers, num_heads = len(_self_attention_modules(loaded)), loaded.config.num_attention_heads
    gates = torch.ones(num_layers, num_heads, device=loaded.device)
    for layer, head in heads:
        if not (0 <= layer < num_layers and 0 <= head < num_heads):
            raise ValueError(f"no head {head} in {attention_layer_label(layer)}: this model has layers "
                             f"1–{num_layers} × heads 0–{num_heads - 1}")
        gates[layer, head] = 0.0
    with head_gates(loaded, gates):
        yield


@contextmanager
def head_gates(loaded: LoadedModel, gates: torch.Tensor):
    """Multiply each head's slice of every self-attention output by gates[layer, head] (layers, heads): 1 keeps a
    head, 0 switches it off; gates that require grad make the loss differentiable per head. The one place hooks
    change what the heads say. The hooks act only in the calling thread: other sessions running the same shared
    model meanwhile get the intact model."""
    modules = _self_attention_modules(loaded)
    if tuple(gates.shape) != (len(modules), loaded.config.num_attention_heads):
        raise ValueError(f"head gates must be (layers, heads) = ({len(modules)}, {loaded.config.num_attention_heads}), "
                         f"not {tuple(gates.shape)}")
    thread = threading.get_ident()
    handles = [module.register_forward_hook(_gate_hook(gates[layer], thread))
               for layer, module in enumerate(modules) if gates.requires_grad or not bool((gates[layer] == 1).all())]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def _gate_hook(gate: torch.Tensor, thread: int):
    """A forward hook scaling the heads of one self-attention output (batch, seq, heads·d) by gate (heads,)."""
    def hook(_module, _inputs, output):
        if threading.get_ident() != thread:
            return None  # another session's forward pass through the shared model: leave it intact
        context = output[0]
        scaled = context.unflatten(-1, (gate.shape[0], -1)) * gate.to(context.dtype)[:, None]
        return (scaled.flatten(-2), *output[1:])

    return hook


def _run(loaded: LoadedModel, encoded: EncodedInput, heads: tuple[tuple[int, int], ...]):
    with torch.no_grad(), heads_switched_off(loaded, heads):
        return loaded.model(**model_inputs(loaded, encoded), output_attentions=True, output_hidden_states=True)


def _predictions(loaded: LoadedModel, encoded: EncodedInput, output) -> list[Prediction]:
    if not loaded.capabilities.mlm:
        return []
    logits = forward.mlm_logits(loaded, output)
    mask_id = loaded.tokenizer.mask_token_id
    positions = [i for i, t in enumerate(encoded.input_ids) if t == mask_id]
    positions = positions or [i for i, special in enumerate(encoded.special_mask) if not special]
    probs = torch.softmax(logits[0, positions].float(), dim=-1)
    top = probs.topk(TOP_K, dim=-1)
    return [
        Prediction(p, loaded.tokenizer.convert_ids_to_tokens(ids.tolist()), [float(v) for v in values])
        for p, ids, values in zip(positions, top.indices, top.values)
    ]


def _p_is_next(loaded: LoadedModel, output) -> float | None:
    logits = forward.pair_logits(loaded, output)
    return None if logits is None else float(torch.softmax(logits[0].float(), dim=-1)[0])


def _last_hidden(output) -> torch.Tensor:
    return output.hidden_states[-1][0].float()


def _compare(loaded: LoadedModel, encoded: EncodedInput, heads: tuple[tuple[int, int], ...]) -> AblationResult:
    intact, ablated = _run(loaded, encoded, ()), _run(loaded, encoded, heads)
    cosine = torch.nn.functional.cosine_similarity(_last_hidden(intact), _last_hidden(ablated), dim=-1)
    return AblationResult(
        heads=heads,
        tokens=list(encoded.tokens),
        hidden_cosine=cosine.cpu().numpy(),
        intact_predictions=_predictions(loaded, encoded, intact),
        ablated_predictions=_predictions(loaded, encoded, ablated),
        p_is_next_intact=_p_is_next(loaded, intact) if encoded.is_pair else None,
        p_is_next_ablated=_p_is_next(loaded, ablated) if encoded.is_pair else None,
    )


def ablate_heads(
    loaded: LoadedModel, text_a: str, text_b: str | None, heads: list[tuple[int, int]]
) -> AblationResult:
    """Switch off the chosen (layer, head) pairs and compare MLM, NSP and final hidden states with the intact model."""
    encoded = _encode(loaded, text_a, text_b)
    chosen = tuple(sorted(set((int(layer), int(h)) for layer, h in heads)))
    key = ("ablate", loaded.load_id, encoded.text_a, encoded.text_b, chosen)
    return _CACHE.get_or_run(key, lambda: _compare(loaded, encoded, chosen))


def ablated_outputs(loaded: LoadedModel, text_a: str, text_b: str | None, heads: list[tuple[int, int]]):
    """The raw model output with heads switched off (uncached; for tests and parity checks)."""
    return _run(loaded, _encode(loaded, text_a, text_b), tuple(heads))


def probe_runs() -> int:
    """How many extra model runs (cache misses) the probes have made in this process."""
    return _CACHE.misses
