"""Tests of `python -m core`: JSON output and clear errors over the same core functions."""
