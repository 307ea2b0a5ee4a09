"""Shared BERT encoder core: model loading, one forward pass, analyses and figures (no UI code)."""
