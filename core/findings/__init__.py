"""Findings: famous published results about BERT, each reproduced live on the loaded model over a small built-in corpus."""
