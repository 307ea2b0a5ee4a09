"""Embeddings (note sections 1–2): the input embedding (token + segment + position), contextual embeddings
through the stack, their figures and CSV tables."""
