"""Benchmark masked-word prediction like for like: our batched fill-mask vs transformers' pipeline("fill-mask") at
the same batch size, and vs the floor (the encoder + the MLM head at the mask positions only, batched the same);
then batched pseudo-perplexity vs one forward pass of a batch of the same size.

Runs on a randomly initialised model with the bundled model's shape (6 layers, 384 hidden, the bert-base-uncased
vocabulary) and an MLM head, saved to a temporary folder: throughput does not depend on the weights. Runs are
interleaved so every method sees the same machine load; the best of --repeats is kept.

    python bench/bench_mlm.py                          # 100 sentences, batch 32, 3 repeats
    python bench/bench_mlm.py --batch-size 8 --repeats 5
    python bench/bench_mlm.py --quick                  # a few seconds: checks the bench runs, not a figure
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from transformers import AutoModelForMaskedLM, AutoTokenizer, BertConfig, BertForMaskedLM, pipeline  # noqa: E402

from core.mlm import fill_mask as mlm  # noqa: E402
from core.mlm import scoring as mlm_scoring  # noqa: E402
from core.model import forward  # noqa: E402
from core.model import loading as models  # noqa: E402

WORDS = "the a cat dog sat ran on under mat table in garden house quickly slowly big small red old".split()
TOP_K = 5


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


def floor(loaded: models.LoadedModel, texts: list[str], batch_size: int) -> None:
    """The least work a batched fill-mask can do: tokenize, the encoder, the MLM head at the masks, top-k."""
    head = mlm.callable_mlm_head(loaded)
    for start in range(0, len(texts), batch_size):
        batch = loaded.tokenizer(texts[start:start + batch_size], padding=True, return_tensors="pt")
        with torch.no_grad():
            hidden = loaded.encoder(**batch).last_hidden_state
            torch.softmax(head(hidden[batch["input_ids"] == loaded.tokenizer.mask_token_id]), -1).topk(TOP_K)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best_interleaved(runs: dict, repeats: int) -> dict[str, float]:
    """Best time of each run over `repeats` rounds, the runs taking turns within each round."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeats):
        for name, run in runs.items():
            best[name] = min(best[name], timed(run))
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=32, help="the same for the pipeline, ours and the floor")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="8 sentences, batch 4, one repeat, a short text")
    args = parser.parse_args(argv)
    if args.quick:
        args.sentences, args.batch_size, args.repeats = 8, 4, 1
    print(f"torch threads: {torch.get_num_threads()}, device: cpu, fp32, top-k {TOP_K}")
    with tempfile.TemporaryDirectory() as tmp:
        save_model(Path(tmp))
        loaded = models.load_model(tmp, device=torch.device("cpu"))
        baseline = AutoModelForMaskedLM.from_pretrained(tmp).eval()
        fill = pipeline("fill-mask", model=baseline, tokenizer=loaded.tokenizer, device=-1, top_k=TOP_K)
        texts, n, size = sentences(args.sentences), args.sentences, args.batch_size
        fill(texts[:3], batch_size=size), mlm.fill_mask_batch(loaded, texts[:3], TOP_K, size)  # warm-up
        best = best_interleaved({
            "pipeline": lambda: fill(texts, batch_size=size),
            "ours": lambda: mlm.fill_mask_batch(loaded, texts, top_k=TOP_K, batch_size=size),
            "floor": lambda: floor(loaded, texts, size),
        }, args.repeats)
        forward._CACHE.entries.clear()
        one_pass = timed(lambda: [mlm.fill_mask(loaded, t, top_k=TOP_K) for t in texts])
        rate = {name: n / seconds for name, seconds in best.items()}
        lengths = [len(ids) for ids in loaded.tokenizer(texts)["input_ids"]]
        print(f"fill-mask, {n} sentences of {min(lengths)}-{max(lengths)} tokens, best of {args.repeats}:")
        print(f"  pipeline(\"fill-mask\", batch_size={size}, top_k={TOP_K}) {rate['pipeline']:7.1f} sent/s")
        print(f"  floor: encoder + MLM head at the masks, batch {size}  {rate['floor']:7.1f} sent/s")
        print(f"  ours: fill_mask_batch(batch_size={size})              {rate['ours']:7.1f} sent/s")
        print(f"  ratio ours / pipeline at batch {size}: {rate['ours'] / rate['pipeline']:.2f}x (target >= 1.5x); "
              f"ours / floor: {rate['ours'] / rate['floor']:.2f}x (target >= 0.8x)")
        print(f"  one full analysis per sentence (what the MLM page runs, attentions + hidden states): "
              f"{n / one_pass:.1f} sent/s")

        text = " ".join(WORDS * 4)[:100 if args.quick else 300]
        encoded = loaded.tokenizer(text, truncation=True, max_length=18 if args.quick else 66)
        n = len(encoded["input_ids"]) - 2
        batch = {k: torch.tensor([v] * n) for k, v in encoded.items()}
        with torch.no_grad():
            loaded.model(**batch)
            one_batch = min(timed(lambda: loaded.model(**batch)) for _ in range(args.repeats))
        short = loaded.tokenizer.decode(encoded["input_ids"][1:-1])
        pll = timed(lambda: mlm_scoring.pseudo_log_likelihood(loaded, short))
        print(f"pseudo-perplexity of a {n}-token text: {pll * 1e3:.0f} ms vs one forward of a batch of {n}: "
              f"{one_batch * 1e3:.0f} ms, ratio {pll / one_batch:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()
