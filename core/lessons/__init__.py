"""Guided lessons along the note: each step sets an input, asks the learner to predict, then reads the real answer
off the loaded model (probes.py) and explains it in English or Simplified Chinese (course.py)."""
