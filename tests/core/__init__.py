"""Tests of core/'s packages on tiny random BERTs built in memory (and the bundled model)."""
