"""Attention flow (Abnar & Zuidema, 2020): attention across the encoder stack as a max-flow problem.

Note section 1: a stack of encoders. The layers form a graph — one node per token per layer, an
edge from token i in layer l+1 to token j in layer l with capacity Â_l[i, j] (head-averaged
attention mixed 0.5/0.5 with the identity for the residual connection, as in rollout). The flow
from an output token to an input token is the maximum flow between their nodes. Exact but slow
(one max-flow per input token), so it is offered for short inputs only; rollout covers the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from core.attention.maps import ROLLOUT_RESIDUAL
from core.model.forward import Analysis

# Longest input flow is computed for: past it one token's flow takes seconds, not a fraction of one.
FLOW_MAX_TOKENS = 64
# scipy's max-flow needs integer capacities: attention weights are scaled by this and rounded.
CAPACITY_SCALE = 1_000_000


@dataclass(frozen=True)
class TokenFlow:
    """How much of one output token's attention can flow back to each input token through all layers."""

    token: int  # the output position
    tokens: list[str]  # (seq,)
    flow: np.ndarray  # (seq,) max-flow value to every input token
    shares: np.ndarray  # (seq,) flow normalised to sum 1, comparable with a rollout row


def mixed_layers(analysis: Analysis, residual: float = ROLLOUT_RESIDUAL) -> np.ndarray:
    """Head-averaged attention with the residual identity mixed in, rows renormalised. (layers, seq, seq)"""
    layers = analysis.attentions.astype(np.float64).mean(axis=1)
    mixed = residual * np.eye(layers.shape[-1]) + (1.0 - residual) * layers
    return mixed / mixed.sum(axis=-1, keepdims=True)


def flow_graph(mixed: np.ndarray) -> csr_matrix:
    """Capacities between nodes layer·seq + position, layer 0 (input) .. L (output); edges run from l+1 down to l."""
    layers, seq, _ = mixed.shape
    rows, cols = np.meshgrid(np.arange(seq), np.arange(seq), indexing="ij")
    sources = np.concatenate([(layer + 1) * seq + rows.ravel() for layer in range(layers)])
    targets = np.concatenate([layer * seq + cols.ravel() for layer in range(layers)])
    capacity = np.rint(mixed.reshape(-1) * CAPACITY_SCALE).astype(np.int32)
    nodes = (layers + 1) * seq
    return csr_matrix((capacity, (sources, targets)), shape=(nodes, nodes))


def token_flow(analysis: Analysis, token: int, residual: float = ROLLOUT_RESIDUAL) -> TokenFlow:
    """Max flow from output token `token` to every input token. flow, shares: (seq,)"""
    seq = len(analysis.inputs)
    if seq > FLOW_MAX_TOKENS:
        raise ValueError(f"attention flow is computed for inputs up to {FLOW_MAX_TOKENS} tokens (this one has {seq}); "
                         "use rollout, which scales to 512")
    if not 0 <= token < seq:
        raise ValueError(f"token {token} does not exist: the input has positions 0–{seq - 1}")
    mixed = mixed_layers(analysis, residual)
    graph = flow_graph(mixed)
    source = mixed.shape[0] * seq + token
    flow = np.array([maximum_flow(graph, source, j).flow_value for j in range(seq)], dtype=np.float64)
    flow /= CAPACITY_SCALE
    return TokenFlow(token, list(analysis.inputs.tokens), flow, flow / flow.sum())
