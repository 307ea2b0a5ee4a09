"""One layer numbering for every page, chart, table and CLI output (note section 1: a stack of N encoders).

- **embeddings** is the input to the stack: token + segment + position, LayerNorm (hidden state 0);
- **layer k**, k = 1 … N, is encoder layer k: its attention is the self-attention inside that layer, and its
  output is hidden state k.

Arrays keep transformers' indexing, and so do numeric JSON fields and function arguments that index arrays:
`hidden_states[k]` is "layer k" (`hidden_states[0]` the embeddings), `attentions[k - 1]` is the attention of
"layer k". Only labels — what a person reads — come from here.
"""

from __future__ import annotations

EMBEDDINGS = "embeddings"

# Said once where the learner meets layers (the Home page and the Attention page show it).
CONVENTION = (
    "Layers are numbered as in the paper: **embeddings** is the input to the stack (token + segment + position), "
    "then **layer 1 … layer N** are the encoder layers. The attention of layer k is the self-attention inside "
    "encoder layer k, whose output is the hidden state of layer k."
)


def layer_label(hidden_index: int) -> str:
    """The name of hidden state `hidden_index`: 0 → "embeddings", k → "layer k"."""
    if hidden_index < 0:
        raise ValueError(f"hidden-state index {hidden_index} is negative")
    return EMBEDDINGS if hidden_index == 0 else f"layer {hidden_index}"


def attention_layer_number(attention_index: int) -> int:
    """The layer number (1 … N) of `attentions[attention_index]`."""
    if attention_index < 0:
        raise ValueError(f"attention index {attention_index} is negative")
    return attention_index + 1


def attention_layer_label(attention_index: int) -> str:
    """The name of the layer whose attention is `attentions[attention_index]`: 0 → "layer 1"."""
    return f"layer {attention_layer_number(attention_index)}"


def hidden_labels(num_layers: int) -> list[str]:
    """Labels of hidden states 0 … num_layers: ["embeddings", "layer 1", …, "layer N"]."""
    return [layer_label(k) for k in range(num_layers + 1)]


def layer_axis(num_layers: int) -> dict:
    """Plotly axis settings for an axis over hidden states 0 … num_layers, ticked with their labels."""
    return {"title": "layer", "tickmode": "array", "tickvals": list(range(num_layers + 1)),
            "ticktext": hidden_labels(num_layers)}
