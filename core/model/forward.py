"""One forward pass that captures everything every view needs, cached per model + text + options.

Note sections 1–2: the input embedding is Token + Segment + Position embedding (then LayerNorm);
a stack of encoders turns it into contextual embeddings. Forward hooks on the three embedding
tables record the three summands; output flags give hidden states and attentions; the model's own
heads give MLM / NSP / QA / classification logits when (and only when) they are real.

The MLM head is the exception: its vocabulary projection over every position is about half of a small model's
work and (seq × vocab) floats to keep, and only the Masked words views read it, at a few positions. Where the
model's other heads are reachable on their own (a pre-training model: encoder + pair head), the pass runs the
encoder and those heads only, never touching the shared model; `mlm_logits_at` runs the MLM head on the cached
last hidden states at the positions asked for — the same numbers the full head gives there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from core import config
from core.lib.lru import LRUCache
from core.model.capabilities import Head, logits
from core.model.inputs import EncodedInput, encode, model_max_length
from core.model.loading import LoadedModel

# How many analyses the process keeps, within config.ANALYSIS_CACHE_MB: a sentence pair holds a few MB, a
# 512-token input 150–250 MB.
CACHE_SIZE = 64


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything one forward pass of one input yields, as numpy arrays (float32)."""

    model_name: str
    inputs: EncodedInput
    token_embeddings: np.ndarray  # (seq, emb) rows of the token (WordPiece) embedding table
    segment_embeddings: np.ndarray | None  # (seq, emb) segment (token type) embedding; None if the model has none
    position_embeddings: np.ndarray  # (seq, emb) learned position embedding rows
    embedding_output: np.ndarray  # (seq, hidden) LayerNorm(token + segment + position), = hidden_states[0]
    hidden_states: np.ndarray  # (layers + 1, seq, hidden) embedding output, then every encoder's output
    attentions: np.ndarray  # (layers, heads, seq, seq) row i = how token i attends over all tokens
    next_sentence_logits: np.ndarray | None  # (2,) from a real NSP/SOP head; index 0 = "B follows A"
    start_logits: np.ndarray | None  # (seq,) from a real QA head
    end_logits: np.ndarray | None  # (seq,)
    sequence_logits: np.ndarray | None  # (labels,) from a real sentence-classification head
    token_logits: np.ndarray | None  # (seq, labels) from a real token-classification head

    @property
    def num_layers(self) -> int:
        return self.attentions.shape[0]

    @property
    def num_heads(self) -> int:
        return self.attentions.shape[1]


class _EmbeddingRecorder:
    """Forward hooks on the token / segment / position embedding tables of an encoder."""

    TABLES = {"token": "word_embeddings", "segment": "token_type_embeddings", "position": "position_embeddings"}

    def __init__(self, loaded: LoadedModel):
        self.embeddings = loaded.encoder.embeddings
        self.captured: dict[str, torch.Tensor] = {}
        self.handles = []

    def __enter__(self) -> _EmbeddingRecorder:
        for part, attr in self.TABLES.items():
            table = getattr(self.embeddings, attr, None)
            if table is not None:
                self.handles.append(table.register_forward_hook(self._recorder(part)))
        return self

    def _recorder(self, part: str):
        def hook(_module, _inputs, output):
            self.captured[part] = output.detach()

        return hook

    def __exit__(self, *exc) -> None:
        for handle in self.handles:
            handle.remove()

    def get(self, part: str, seq_len: int) -> np.ndarray | None:
        """The captured rows of one table, broadcast to (seq, emb); None if the model has no such table."""
        if part not in self.captured:
            return None
        rows = self.captured[part][0] if self.captured[part].dim() == 3 else self.captured[part]
        return _numpy(rows.expand(seq_len, -1))


def _numpy(tensor: torch.Tensor | None) -> np.ndarray | None:
    return None if tensor is None else tensor.detach().float().cpu().numpy()


def batch_inputs(loaded: LoadedModel, input_ids: list[list[int]], token_type_ids: list[list[int]] | None = None,
                 attention_mask: list[list[int]] | None = None) -> dict[str, torch.Tensor]:
    """The tensors the model takes for rows of ids (batch, seq): token types only if the model has them,
    attention on every position unless a mask is given. The one place model inputs are built."""
    ids = torch.tensor(input_ids, device=loaded.device)
    mask = torch.ones_like(ids) if attention_mask is None else torch.tensor(attention_mask, device=loaded.device)
    inputs = {"input_ids": ids, "attention_mask": mask}
    if loaded.uses_token_types and token_type_ids is not None:
        inputs["token_type_ids"] = torch.tensor(token_type_ids, device=loaded.device)
    return inputs


def model_inputs(loaded: LoadedModel, encoded: EncodedInput) -> dict[str, torch.Tensor]:
    """The batch-of-one tensors the model takes for an encoded input."""
    return batch_inputs(loaded, [encoded.input_ids], [encoded.token_type_ids])


MLM_HEAD_PATHS = ("cls.predictions", "predictions", "lm_head")  # BERT, ALBERT, RoBERTa-style heads: one module


def _attribute(obj, dotted: str):
    for name in dotted.split("."):
        obj = getattr(obj, name, None)
    return obj


def mlm_head(loaded: LoadedModel) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """The model's own MLM head: maps last hidden states (..., hidden) to vocabulary logits (..., vocab); None when
    the model has none, or one spread this app cannot call on its own."""
    if not loaded.capabilities.mlm:
        return None
    model = loaded.model
    for path in MLM_HEAD_PATHS:
        module = _attribute(model, path)
        if isinstance(module, torch.nn.Module):
            return module
    if hasattr(model, "vocab_projector"):  # DistilBERT spreads its head over four attributes

        def distilbert_head(hidden: torch.Tensor) -> torch.Tensor:
            return model.vocab_projector(model.vocab_layer_norm(model.activation(model.vocab_transform(hidden))))

        return distilbert_head
    if hasattr(model, "generator_lm_head"):  # ELECTRA's generator: a transform, then the vocabulary projection

        def electra_generator_head(hidden: torch.Tensor) -> torch.Tensor:
            return model.generator_lm_head(model.generator_predictions(hidden))

        return electra_generator_head
    return None


@torch.no_grad()
def mlm_logits_at(loaded: LoadedModel, analysis: Analysis, positions: Sequence[int]) -> np.ndarray:
    """(len(positions), vocab) MLM logits at those positions of an analysed input, from its last hidden states (a
    head this app cannot call on its own: the whole model again, its logits read there)."""
    if not loaded.capabilities.mlm:
        raise ValueError(f"{loaded.name} has no MLM head")
    positions = list(positions)
    head = mlm_head(loaded)
    if head is None:
        return _numpy(mlm_logits(loaded, loaded.model(**model_inputs(loaded, analysis.inputs)))[0, positions].float())
    hidden = torch.from_numpy(analysis.hidden_states[-1][positions]).to(loaded.device)
    return _numpy(head(hidden).float())


def mlm_logits(loaded: LoadedModel, output) -> torch.Tensor | None:
    """(batch, seq, vocab) logits of the real MLM head; None without one."""
    return logits(output, Head.MLM) if loaded.capabilities.mlm else None


def pair_logits(loaded: LoadedModel, output) -> torch.Tensor | None:
    """(batch, 2) logits of the real pair head: SOP (ALBERT) when present, else NSP; None without either."""
    caps = loaded.capabilities
    return logits(output, Head.SOP if caps.sop else Head.NSP) if caps.sop or caps.nsp else None


def pair_head(loaded: LoadedModel) -> torch.nn.Module | None:
    """The real pair head as a module of the pooled [CLS] vector: BERT's NSP linear layer, ALBERT's SOP head;
    None without one, or for a family whose pair head sits elsewhere."""
    if loaded.capabilities.sop:
        return getattr(loaded.model, "sop_classifier", None)
    if loaded.capabilities.nsp:
        return getattr(getattr(loaded.model, "cls", None), "seq_relationship", None)
    return None


def pair_logits_only(loaded: LoadedModel, inputs: dict[str, torch.Tensor]) -> torch.Tensor | None:
    """(batch, 2) pair-head logits from the encoder, its pooler and the pair head alone.

    A pre-training model's own forward also runs the MLM head over every position (about half the FLOPs of the
    bundled model) only to drop it; the logits are the same. Falls back to that full forward where the pooler or
    the head cannot be found. Call under torch.no_grad().
    """
    head = pair_head(loaded)
    pooled = loaded.encoder(**inputs).pooler_output if head is not None else None
    if pooled is None:
        return pair_logits(loaded, loaded.model(**inputs))
    return head(pooled)


def _encoder_pass(loaded: LoadedModel, inputs: dict[str, torch.Tensor]):
    """(output, pair logits) of the analysis pass. A model whose heads are an MLM head and at most a pair head runs
    its encoder and its pair head alone (the MLM head's logits are computed where shown: mlm_logits_at); any other
    model runs whole. Reads the shared model, never changes it (sessions run it at once)."""
    caps = loaded.capabilities
    other_heads = caps.qa or caps.sequence_classification or caps.token_classification
    head = pair_head(loaded)
    if mlm_head(loaded) is not None and not other_heads and (head is not None or not (caps.nsp or caps.sop)):
        output = loaded.encoder(**inputs, output_attentions=True, output_hidden_states=True)
        return output, (head(output.pooler_output) if head is not None else None)
    output = loaded.model(**inputs, output_attentions=True, output_hidden_states=True)
    return output, pair_logits(loaded, output)


def _head_outputs(loaded: LoadedModel, output, nsp: torch.Tensor | None) -> dict[str, np.ndarray | None]:
    """Logits of the model's real heads only, read from the output fields the heads define."""
    caps = loaded.capabilities
    span = logits(output, Head.QA)[0] if caps.qa else None  # (seq, 2): start, end
    return {
        "next_sentence_logits": _numpy(nsp[0]) if nsp is not None else None,
        "start_logits": _numpy(span[:, 0]) if caps.qa else None,
        "end_logits": _numpy(span[:, 1]) if caps.qa else None,
        "sequence_logits": _numpy(logits(output, Head.SEQUENCE)[0]) if caps.sequence_classification else None,
        "token_logits": _numpy(logits(output, Head.TOKEN)[0]) if caps.token_classification else None,
    }


def run_forward(loaded: LoadedModel, encoded: EncodedInput) -> Analysis:
    """Run the model once on an encoded input and capture embeddings, hidden states, attentions and head logits."""
    seq_len = len(encoded)
    with torch.no_grad(), _EmbeddingRecorder(loaded) as recorder:
        output, pair = _encoder_pass(loaded, model_inputs(loaded, encoded))
    hidden_states = torch.stack(output.hidden_states)[:, 0]
    return Analysis(
        model_name=loaded.name,
        inputs=encoded,
        token_embeddings=recorder.get("token", seq_len),
        segment_embeddings=recorder.get("segment", seq_len),
        position_embeddings=recorder.get("position", seq_len),
        embedding_output=_numpy(hidden_states[0]),
        hidden_states=_numpy(hidden_states),
        attentions=_numpy(torch.stack(output.attentions)[:, 0]),
        **_head_outputs(loaded, output, pair),
    )


# Analyses keyed by model name + texts + options; its misses are the real forward passes.
_CACHE: LRUCache[Analysis] = LRUCache(CACHE_SIZE, config.ANALYSIS_CACHE_MB * 2**20)


def max_input_length(loaded: LoadedModel) -> int:
    """The longest input this model takes (its position table, its tokenizer's limit, MAX_SEQ_LEN)."""
    return model_max_length(loaded.tokenizer, loaded.config.max_position_embeddings)


def encode_for(loaded: LoadedModel, text_a: str, text_b: str | None = None, max_length: int | None = None) -> EncodedInput:
    """The input as this model reads it, cut (visibly) at its limit or a smaller max_length; no forward pass."""
    limit = max_input_length(loaded)
    return encode(loaded.tokenizer, text_a, text_b, min(max_length or limit, limit, config.MAX_SEQ_LEN))


def analyze(loaded: LoadedModel, text_a: str, text_b: str | None = None, max_length: int | None = None) -> Analysis:
    """The one-pass analysis of one sentence or a pair, from the process-wide cache when already run."""
    encoded = encode_for(loaded, text_a, text_b, max_length)
    max_length = encoded.max_length
    key = (loaded.load_id, encoded.text_a, encoded.text_b, max_length)
    return _CACHE.get_or_run(key, lambda: run_forward(loaded, encoded))


def forward_pass_count() -> int:
    """How many real forward passes analyze() has run in this process (cache misses)."""
    return _CACHE.misses
