"""The model in brief (note section 1: how many encoders, how wide, which real heads), as the home page and
`python -m core models` show it."""

from __future__ import annotations

from dataclasses import dataclass

from core.model.loading import Capabilities, LoadedModel


@dataclass(frozen=True)
class ModelCard:
    """The model in brief, as the home page and `python -m core models` show it."""

    name: str
    location: str
    model_type: str
    architecture: str
    num_layers: int
    hidden_size: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    num_parameters: int
    capabilities: Capabilities
    device: str


def model_card(loaded: LoadedModel) -> ModelCard:
    """The model in brief: sizes, parameter count and real heads."""
    cfg = loaded.config
    return ModelCard(
        name=loaded.name,
        location=loaded.source.location,
        model_type=cfg.model_type,
        architecture=type(loaded.model).__name__,
        num_layers=cfg.num_hidden_layers,
        hidden_size=cfg.hidden_size,
        num_heads=cfg.num_attention_heads,
        intermediate_size=getattr(cfg, "intermediate_size", 4 * cfg.hidden_size),
        vocab_size=cfg.vocab_size,
        max_positions=cfg.max_position_embeddings,
        type_vocab_size=getattr(cfg, "type_vocab_size", 0),
        num_parameters=sum(p.numel() for p in loaded.model.parameters()),
        capabilities=loaded.capabilities,
        device=str(loaded.device),
    )
