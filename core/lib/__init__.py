"""BERT-free helpers: an LRU cache for model results and checked reading of uploaded files."""
