"""The thread policy: every thread that runs the model says how many CPU threads it uses (core/config.py).

PyTorch keeps one count per OS thread, and `torch.set_num_threads` also changes the count that threads created
afterwards start with: a training job that lowered its own count would slow every Streamlit session started after
it. So no thread relies on the inherited count: each Streamlit run sets ANALYSIS_THREADS (ui/navigation.py), each
background job its share of the cores at every step (core/training/jobs.job_threads), and a CLI command keeps
PyTorch's default.
"""

from __future__ import annotations

import torch


def use_threads(count: int) -> None:
    """Run this thread's PyTorch work on `count` CPU threads (at least one)."""
    count = max(1, int(count))
    if torch.get_num_threads() != count:
        torch.set_num_threads(count)
