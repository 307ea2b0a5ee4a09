"""Benchmark: our one-pass analysis vs a plain Hugging Face forward with attentions and hidden states.

Both run side by side on the same model and input, interleaved, best-of-N; the figure that matters is
the ratio (target ≤ 1.25×). Also times a cached second request (what a page switch costs).

    python bench/bench_forward.py              # bundled model and a bert-base-sized random model
    python bench/bench_forward.py --repeats 50
    python bench/bench_forward.py --quick      # bundled only, two repeats: checks the bench runs
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from transformers import BertConfig, BertModel  # noqa: E402

from core.model import forward  # noqa: E402
from core.model import loading as models
from core.model.capabilities import Capabilities
from core.model.inputs import encode  # noqa: E402

# A ~40-token sentence pair.
TEXT_A = "The quick brown fox jumped over the lazy dog while the farmer watched from the old wooden porch."
TEXT_B = "Later that evening, he told his neighbours about the strange animal that had crossed his field."


def plain_forward(loaded: models.LoadedModel) -> None:
    inputs = loaded.tokenizer(TEXT_A, TEXT_B, return_tensors="pt").to(loaded.device)
    with torch.no_grad():
        loaded.model(**inputs, output_attentions=True, output_hidden_states=True)


def our_analysis(loaded: models.LoadedModel) -> None:
    forward.run_forward(loaded, encode(loaded.tokenizer, TEXT_A, TEXT_B, 512))


def best_of(fn, loaded, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(loaded)
        times.append(time.perf_counter() - start)
    return min(times)


def compare(label: str, loaded: models.LoadedModel, repeats: int) -> dict:
    for fn in (plain_forward, our_analysis):  # warm-up
        fn(loaded)
    plain, ours = [], []
    for _ in range(repeats):  # interleaved so both see the same machine load
        plain.append(best_of(plain_forward, loaded, 1))
        ours.append(best_of(our_analysis, loaded, 1))
    forward.analyze(loaded, TEXT_A, TEXT_B)
    start = time.perf_counter()
    forward.analyze(loaded, TEXT_A, TEXT_B)
    cached = time.perf_counter() - start
    seq = len(encode(loaded.tokenizer, TEXT_A, TEXT_B, 512))
    row = {"model": label, "tokens": seq, "plain_ms": min(plain) * 1e3, "ours_ms": min(ours) * 1e3,
           "ratio": min(ours) / min(plain), "cached_ms": cached * 1e3}
    print(f"{label:<28} {seq:>4} tok  plain {row['plain_ms']:7.2f} ms  ours {row['ours_ms']:7.2f} ms  "
          f"ratio {row['ratio']:.2f}x  (target <= 1.25x)  cached repeat {row['cached_ms']:.3f} ms")
    return row


def bert_base_random(tokenizer_source: models.LoadedModel) -> models.LoadedModel:
    """A randomly initialised model with bert-base-uncased's configuration (12 layers, 768 hidden)."""
    torch.manual_seed(0)
    model = BertModel(BertConfig(attn_implementation="eager")).eval()
    source = models.ModelSource("bert-base-sized (random)", "memory", "memory")
    return models.LoadedModel(source, model, tokenizer_source.tokenizer, Capabilities(), torch.device("cpu"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="the bundled model only, two repeats")
    args = parser.parse_args(argv)
    print(f"torch threads: {torch.get_num_threads()}, device: cpu, fp32; baseline: the same model's own forward "
          "with output_attentions and output_hidden_states, batch 1")
    bundled = models.load_model("bundled", device=torch.device("cpu"))
    compare("bundled", bundled, 2 if args.quick else args.repeats)
    if not args.quick:
        compare("bert-base-sized (random)", bert_base_random(bundled), max(5, args.repeats // 3))


if __name__ == "__main__":
    main()
