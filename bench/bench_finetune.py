"""Benchmark: our fine-tune loop vs Hugging Face `Trainer`, same model, data, batches and schedule.

Both train the sentence-classification demo set for the same number of epochs with AdamW, linear
warm-up, gradient clipping and batch padding; the figure that matters is the ratio of training samples/s
(ours / Trainer, target >= 1.1x). Trainer uses its best CPU optimizer, torch's fused AdamW
(`optim="adamw_torch_fused"`), and the same precision and dataloader settings; both configurations are printed.
Runs alternate so both see the same machine load; the best of each is kept. Trainer needs `accelerate`.

    python bench/bench_finetune.py                      # bundled model, CPU (or CUDA when present)
    python bench/bench_finetune.py --model /path/to/tiny --epochs 2 --repeats 3
    python bench/bench_finetune.py --quick              # 32 examples, one repeat: checks the bench runs
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from transformers import Trainer, TrainingArguments  # noqa: E402

from core import config  # noqa: E402
from core.finetune import runner as finetune  # noqa: E402
from core.finetune.data import TASKS  # noqa: E402
from core.finetune.demo import demo_data  # noqa: E402
from core.finetune.features import encode_split  # noqa: E402
from core.model import loading as models  # noqa: E402
from core.training import loop  # noqa: E402

# Trainer's fastest AdamW on CPU and GPU alike.
TRAINER_OPTIMIZER = "adamw_torch_fused"


def ours(cfg: finetune.FineTuneConfig, data) -> float:
    """Training samples/s of our loop (evaluation and saving excluded, as Trainer does neither here)."""
    return finetune.train(cfg, data).train_samples_per_s


def hf_trainer(cfg: finetune.FineTuneConfig, data) -> float:
    """Training samples/s of `Trainer` on the same fresh model, rows, collator and schedule."""
    torch.manual_seed(cfg.seed)
    tokenizer, model = finetune.build_model(cfg, data.labels)
    rows = encode_split(tokenizer, data, data.train, cfg.max_length, cfg.doc_stride).rows
    steps = len(rows) // cfg.batch_size * cfg.epochs
    device = models.pick_device(cfg.device)
    precision = loop.mixed_precision_dtype(device)  # the same mixed precision as our runner
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out, per_device_train_batch_size=cfg.batch_size, num_train_epochs=cfg.epochs,
            learning_rate=cfg.learning_rate, weight_decay=cfg.weight_decay, max_grad_norm=cfg.max_grad_norm,
            warmup_steps=max(1, int(steps * cfg.warmup_fraction)), lr_scheduler_type="linear", seed=cfg.seed,
            eval_strategy="no", save_strategy="no", logging_strategy="no", report_to="none", disable_tqdm=True,
            use_cpu=device.type == "cpu", bf16=precision == torch.bfloat16, fp16=precision == torch.float16,
            dataloader_num_workers=0, optim=TRAINER_OPTIMIZER,
        )
        trainer = Trainer(model=model, args=args, train_dataset=rows,
                          data_collator=finetune.collator_for(cfg.task, tokenizer))
        return trainer.train().metrics["train_samples_per_second"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=config.BUNDLED_ALIAS, help="base model (default: bundled)")
    parser.add_argument("--task", default="sentence", choices=TASKS)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="32 training examples, batch 8, one repeat")
    args = parser.parse_args(argv)
    if args.quick:
        args.batch_size, args.repeats = 8, 1
    config.MODELS_HOME = Path(tempfile.mkdtemp()) / "models"  # never touch the user's saved models
    cfg = finetune.FineTuneConfig(task=args.task, base_model=args.model, alias="bench-run", epochs=args.epochs, overwrite=True,
                                  batch_size=args.batch_size, max_length=args.max_length)
    data = demo_data(args.task)
    if args.quick:
        data = dataclasses.replace(data, train=data.train[:32], validation=data.validation[:8])
    device = models.pick_device()
    name = torch.cuda.get_device_name() if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    precision = loop.mixed_precision_dtype(device) or torch.float32
    print(f"{args.model} · {args.task} · {len(data.train)} examples × {args.epochs} epoch(s) · batch "
          f"{args.batch_size} · max length {args.max_length} · {name} · {precision}")
    print(f"  Trainer: optim={TRAINER_OPTIMIZER}, linear schedule, warm-up {cfg.warmup_fraction:.0%}, "
          f"max_grad_norm {cfg.max_grad_norm}, dataloader_num_workers=0, the runner's collator")
    print("  ours:    core.finetune.runner (torch.optim.AdamW fused, the same schedule, clipping, collator and batches)")
    best_ours, best_hf = 0.0, 0.0
    for repeat in range(args.repeats):  # alternating runs share the machine's load fairly
        started = time.perf_counter()
        best_hf = max(best_hf, hf_trainer(cfg, data))
        best_ours = max(best_ours, ours(cfg, data))
        print(f"  run {repeat + 1}: Trainer {best_hf:7.1f} samples/s · ours {best_ours:7.1f} samples/s "
              f"(best so far, {time.perf_counter() - started:.0f} s)")
    print(f"ratio ours / Trainer ({TRAINER_OPTIMIZER}): {best_ours / best_hf:.2f}x  (target >= 1.1x)")


if __name__ == "__main__":
    main()
