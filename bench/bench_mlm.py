"""Benchmark masked-word prediction: our fill-mask vs transformers' pipeline("fill-mask"), and batched
pseudo-perplexity vs one forward pass of a batch of 64.

Runs on a randomly initialised model with the bundled model's shape (6 layers, 384 hidden, the
bert-base-uncased vocabulary) and an MLM head, saved to a temporary folder: throughput does
not depend on the weights, and no checkpoint with an MLM head ships offline yet.

    python bench/bench_mlm.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from transformers import AutoModelForMaskedLM, AutoTokenizer, BertConfig, BertForMaskedLM, pipeline  # noqa: E402

from core.mlm import fill_mask as mlm
from core.mlm import scoring as mlm_scoring
from core.model import forward  # noqa: E402
from core.model import loading as models

WORDS = "the a cat dog sat ran on under mat table in garden house quickly slowly big small red old".split()


def sentences(n: int) -> list[str]:
    """n distinct sentences with one [MASK] each (distinct, so no cache hit helps us)."""
    out = []
    for i in range(n):
        words = [WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(10 + i % 6)]
        words[3] = "[MASK]"
        out.append(f"{' '.join(words)} number {i}.")
    return out


def save_model(folder: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(models.bundled_model_path())
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=384, num_hidden_layers=6,
                        num_attention_heads=12, intermediate_size=1536)
    torch.manual_seed(0)
    BertForMaskedLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        save_model(Path(tmp))
        loaded = models.load_model(tmp, device=torch.device("cpu"))
        baseline = AutoModelForMaskedLM.from_pretrained(tmp).eval()
        fill = pipeline("fill-mask", model=baseline, tokenizer=loaded.tokenizer, device=-1, top_k=5)
        texts = sentences(100)
        fill(texts[:3]), mlm.fill_mask_batch(loaded, texts[:3], top_k=5)  # warm-up
        ours = min(timed(lambda: mlm.fill_mask_batch(loaded, texts, top_k=5)) for _ in range(2))
        theirs = min(timed(lambda: fill(texts)) for _ in range(2))
        forward._CACHE.entries.clear()
        one_pass = timed(lambda: [mlm.fill_mask(loaded, t, top_k=5) for t in texts])
        print(f"fill-mask, 100 sentences: pipeline {100 / theirs:6.1f} sent/s, ours (batched) {100 / ours:6.1f} "
              f"sent/s, throughput ratio {theirs / ours:.2f}x (target >= 1.0x); one full analysis per sentence "
              f"(what the MLM page runs, with attentions and hidden states): {100 / one_pass:.1f} sent/s")

        text = " ".join(WORDS * 4)[:300]
        encoded = loaded.tokenizer(text, truncation=True, max_length=66)
        n = len(encoded["input_ids"]) - 2
        batch = {k: torch.tensor([v] * n) for k, v in encoded.items()}
        with torch.no_grad():
            loaded.model(**batch)
            one_batch = min(timed(lambda: loaded.model(**batch)) for _ in range(3))
        short = loaded.tokenizer.decode(encoded["input_ids"][1:-1])
        pll = timed(lambda: mlm_scoring.pseudo_log_likelihood(loaded, short))
        print(f"pseudo-perplexity of a {n}-token text: {pll * 1e3:.0f} ms vs one forward of a batch of {n}: "
              f"{one_batch * 1e3:.0f} ms, ratio {pll / one_batch:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()
