"""What the local Hugging Face cache holds: asked by the loader (offline defaults) and by saves (no name may
shadow a hub model), so it lives apart from both."""

from __future__ import annotations


def in_hub_cache(model_id: str) -> bool:
    """Whether a hub model's config is already in the local Hugging Face cache."""
    from huggingface_hub import try_to_load_from_cache

    candidates = {model_id, f"google-bert/{model_id}"} if "/" not in model_id else {model_id}
    return any(isinstance(try_to_load_from_cache(c, "config.json"), str) for c in candidates)
