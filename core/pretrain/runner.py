"""The pre-training runner: MLM and NSP (or SOP) trained at the same time, as in note section 3.

Continue pre-training any BERT checkpoint (new heads are added when it has none) or start a small
model from scratch. The loop reports loss and accuracies through a callback and knows nothing about
the UI; it saves Hugging Face checkpoints atomically every few steps (a killed run keeps the last
whole one) and resumes from the last one, drawing the very same batches it would have drawn.
"""

from __future__ import annotations

import io
import math
import pickle
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from transformers import BertConfig, BertForPreTraining, PreTrainedTokenizerBase

from core.model import checkpoints
from core.model import loading as models
from core.pretrain.data import IGNORE_INDEX, MASK_RATE, SentencePair, check_strategy, make_batch, sample_pair, source_peers
from core.training.jobs import Progress
from core.training.loop import run_steps
from core.training.optim import adamw, warmup_then_linear_decay

TRAINER_STATE = "trainer_state.pt"  # optimizer, schedule and history, saved next to the weights


@dataclass
class PretrainConfig:
    """How a pre-training run goes; every default suits a short CPU run."""

    steps: int = 100  # optimizer steps in the whole run (the learning-rate schedule spans them)
    batch_size: int = 16  # pairs per step
    max_seq_len: int = 128  # [CLS] A [SEP] B [SEP] is truncated to this many tokens
    encoder_lr: float = 1e-4  # pretrained layers move gently…
    head_lr: float = 1e-3  # …new heads start random and need a bigger step
    nsp_lr: float | None = None  # pooler + NSP head (None: head_lr); a bigger step wakes up a dormant pooler
    warmup_steps: int = 10  # linear warm-up, then linear decay to zero at `steps`
    weight_decay: float = 0.01  # AdamW decay on weights (not biases or LayerNorm)
    negatives: str = "random_document"  # a key of pretraining_data.NEGATIVE_STRATEGIES
    mask_rate: float = MASK_RATE  # share of tokens hidden for MLM
    whole_word: bool = False  # hide every piece of a word together
    checkpoint_every: int = 50  # steps between atomic checkpoints (and one at the end)
    seed: int = 0  # same seed, same batches, same initial heads
    time_budget_s: float | None = None  # stop (and save) after this many seconds of this session
    nsp_weight: float = 1.0  # joint loss = MLM + nsp_weight × NSP (BERT: 1)
    stop_after: int | None = None  # stop (and save) at this step although the schedule spans `steps`
    freeze_word_embeddings: bool = False  # keep the (tied) word-embedding table as it is
    bf16: bool = False  # autocast matmuls to bfloat16 (about 1.5x faster on CPUs with AVX-512 BF16)

    def validate(self) -> PretrainConfig:
        """ValueError naming the setting a run could not use (a NaN rate would train an all-NaN model)."""
        if min(self.steps, self.batch_size, self.checkpoint_every, self.max_seq_len) < 1:
            raise ValueError("steps, batch size, checkpoint interval and max sequence length must be at least 1")
        rates = [self.encoder_lr, self.head_lr] + ([] if self.nsp_lr is None else [self.nsp_lr])
        if not all(0 < rate < math.inf for rate in rates):
            raise ValueError(f"learning rates must be positive finite numbers, not {', '.join(map(str, rates))}")
        if not (0 < self.mask_rate < 1 and 0 <= self.weight_decay < math.inf and 0 <= self.nsp_weight < math.inf):
            raise ValueError("the mask rate must lie between 0 and 1, weight decay and NSP weight must be finite and "
                             "not negative")
        return self


@dataclass(frozen=True)
class StepMetrics:
    """Losses and accuracies of one batch."""

    loss: float
    mlm_loss: float
    nsp_loss: float
    mlm_accuracy: float  # top-1 over the hidden tokens
    nsp_accuracy: float  # IsNext/NotNext over the pairs


@dataclass(frozen=True)
class PretrainResult:
    """What a finished (or stopped) run leaves behind."""

    output_dir: str
    step: int  # steps done in total, resumed ones included
    total_steps: int
    stopped_early: bool  # the time budget ran out before `steps`
    history: list[dict] = field(default_factory=list)  # one entry per step: {"step", "loss", …}


def load_for_pretraining(name: str) -> tuple[BertForPreTraining, PreTrainedTokenizerBase, list[str]]:
    """A BERT checkpoint with MLM + NSP heads (new random ones where missing); returns the new heads' names."""
    source = models.resolve(name)
    model, info = models._from_pretrained(BertForPreTraining, source, output_loading_info=True)
    models.check_encoder_complete(name, set(info["missing_keys"]))
    if model.config.model_type != "bert":
        raise ValueError(f"pre-training here needs a BERT checkpoint, {name!r} is {model.config.model_type!r}")
    tokenizer = models._from_pretrained(models.AutoTokenizer, source)
    new = sorted({k.rsplit(".", 1)[0] for k in info["missing_keys"] if k.startswith("cls.")})
    return model, tokenizer, new


def new_small_model(tokenizer: PreTrainedTokenizerBase, hidden: int = 64, layers: int = 2, heads: int = 4,
                    max_positions: int = 128, seed: int = 0) -> BertForPreTraining:
    """A small randomly initialised BERT for pre-training from scratch with `tokenizer`'s vocabulary."""
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=layers,
                        num_attention_heads=heads, intermediate_size=4 * hidden,
                        max_position_embeddings=max_positions, pad_token_id=tokenizer.pad_token_id)
    return BertForPreTraining(config)


def forward_losses(model: BertForPreTraining, batch, nsp_weight: float = 1.0) -> tuple[torch.Tensor, StepMetrics]:
    """Joint loss = MLM cross-entropy (hidden tokens only) + nsp_weight × NSP cross-entropy, and batch metrics."""
    out = model.bert(input_ids=batch.input_ids, attention_mask=batch.attention_mask,
                     token_type_ids=batch.token_type_ids)
    hidden = batch.labels != IGNORE_INDEX
    # The vocabulary projection runs on hidden positions only: same loss as the full head, ~7× cheaper.
    mlm_logits = model.cls.predictions(out.last_hidden_state[hidden])  # (n_hidden, vocab)
    nsp_logits = model.cls.seq_relationship(out.pooler_output)  # (batch, 2)
    targets = batch.labels[hidden]
    mlm_loss = torch.nn.functional.cross_entropy(mlm_logits, targets)
    nsp_loss = torch.nn.functional.cross_entropy(nsp_logits, batch.next_sentence_label)
    loss = mlm_loss + nsp_weight * nsp_loss
    metrics = StepMetrics(
        loss=loss.item(), mlm_loss=mlm_loss.item(), nsp_loss=nsp_loss.item(),
        mlm_accuracy=(mlm_logits.argmax(-1) == targets).float().mean().item(),
        nsp_accuracy=(nsp_logits.argmax(-1) == batch.next_sentence_label).float().mean().item(),
    )
    return loss, metrics


def make_optimizer(model: BertForPreTraining, cfg: PretrainConfig) -> torch.optim.Optimizer:
    """AdamW with the encoder at encoder_lr and the heads at head_lr; no decay on biases/LayerNorm."""
    if cfg.freeze_word_embeddings:
        model.bert.embeddings.word_embeddings.weight.requires_grad_(False)

    def learning_rate(name: str) -> float:
        if name.startswith(("cls.seq_relationship.", "bert.pooler.")) and cfg.nsp_lr is not None:
            return cfg.nsp_lr
        return cfg.head_lr if name.startswith("cls.") else cfg.encoder_lr

    return adamw(model, learning_rate, cfg.weight_decay)


def make_schedule(optimizer: torch.optim.Optimizer, cfg: PretrainConfig) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up over warmup_steps, then linear decay to zero at cfg.steps."""
    return warmup_then_linear_decay(optimizer, cfg.warmup_steps, cfg.steps)


def batch_for_step(documents: list[list[str]], tokenizer, cfg: PretrainConfig, step: int,
                   peers: list[list[int]] | None = None):
    """The batch of a given step, a pure function of (seed, step) so a resumed run sees the same data."""
    rng = random.Random(cfg.seed * 1_000_003 + step)
    pairs = [sample_pair(documents, cfg.negatives, rng, peers) for _ in range(cfg.batch_size)]
    return make_batch(pairs, tokenizer, cfg.max_seq_len, rng, cfg.mask_rate, cfg.whole_word)


def save_checkpoint(model, tokenizer, optimizer, schedule, output_dir: Path, step: int,
                    cfg: PretrainConfig, history: list[dict], base: str) -> None:
    """Weights + tokenizer + trainer state in one atomic save."""
    state = io.BytesIO()
    torch.save({"optimizer": optimizer.state_dict(), "schedule": schedule.state_dict(), "step": step,
                "history": history}, state)
    metadata = {"task": "pretraining", "base": base, "step": step, "config": asdict(cfg),
                "last": history[-1] if history else {}}
    checkpoints.save_atomic(model, tokenizer, output_dir, metadata, {TRAINER_STATE: state.getvalue()})


def _resume_state(output_dir: Path) -> dict | None:
    """The trainer state of a complete checkpoint in output_dir, if there is one."""
    if not (checkpoints.is_complete(output_dir) and (output_dir / TRAINER_STATE).is_file()):
        return None
    # weights_only: tensors, numbers, strings and containers only. A full unpickle would run whatever code a
    # crafted file in the models folder carries; the state this module saves needs nothing more.
    try:
        return torch.load(output_dir / TRAINER_STATE, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        raise ValueError(f"{TRAINER_STATE} in {output_dir.name!r} holds more than a trainer state (objects that "
                         "would run code when loaded), so it was not loaded: start the run over without --resume, "
                         "or under another name") from err


def _start(base: str | BertForPreTraining, tokenizer, output_dir: Path, resume: bool):
    """Model, tokenizer and trainer state to begin with: the last checkpoint when resuming, else the base."""
    state = _resume_state(output_dir) if resume else None
    if state is not None:
        model, tokenizer, _ = load_for_pretraining(str(output_dir))
        return model, tokenizer, state
    if isinstance(base, str):
        model, tokenizer, _ = load_for_pretraining(base)
        return model, tokenizer, None
    return base, tokenizer, None


def pretrain(base: str | BertForPreTraining, documents: list[list[str]], output_dir: Path,
             cfg: PretrainConfig, tokenizer: PreTrainedTokenizerBase | None = None,
             callback: Callable[[Progress], None] | None = None, resume: bool = True,
             sources: list[str] | None = None) -> PretrainResult:
    """Run (or resume) MLM + NSP pre-training on segmented documents; checkpoints land in output_dir.

    `sources` names each document's source: random-document negatives are then drawn from A's own source.
    """
    cfg.validate()
    check_strategy(documents, cfg.negatives)
    if sources is not None and len(sources) != len(documents):
        raise ValueError(f"{len(sources)} source names for {len(documents)} documents: give one per document")
    peers = None if sources is None else source_peers(sources)
    output_dir = Path(output_dir)
    torch.manual_seed(cfg.seed)  # new heads start the same way in every run with this seed
    model, tokenizer, state = _start(base, tokenizer, output_dir, resume)
    base_name = base if isinstance(base, str) else "new small model"
    model.to(models.pick_device()).train()
    optimizer = make_optimizer(model, cfg)
    schedule = make_schedule(optimizer, cfg)
    step, history = 0, []
    if state is not None:
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        step, history = state["step"], state["history"]
    started = time.time()
    model.zero_grad(set_to_none=True)  # a model handed in may carry gradients; each step clears its own
    last_step = min(cfg.steps, cfg.stop_after or cfg.steps)

    def after_step(done: int, _loss: float, metrics: StepMetrics) -> bool:
        history.append({"step": done, **asdict(metrics), "lr": schedule.get_last_lr()[0]})
        out_of_time = cfg.time_budget_s is not None and time.time() - started > cfg.time_budget_s
        if done % cfg.checkpoint_every == 0 or done == last_step or out_of_time:
            save_checkpoint(model, tokenizer, optimizer, schedule, output_dir, done, cfg, history, base_name)
        if callback:  # may raise Cancelled: the last checkpoint on disk stays whole
            callback(Progress(done, cfg.steps, asdict(metrics), f"step {done}/{cfg.steps}"))
        return out_of_time

    step_batches = (batch_for_step(documents, tokenizer, cfg, s, peers) for s in range(step, last_step))
    step = run_steps(model, step_batches, lambda batch, s: step_losses(model, batch, cfg, s), optimizer, schedule,
                     after_step, step)
    stopped_early = step < cfg.steps
    model.eval()
    return PretrainResult(str(output_dir), step, cfg.steps, stopped_early, history)


def step_losses(model, batch, cfg: PretrainConfig, step: int) -> tuple[torch.Tensor, StepMetrics]:
    """The joint loss of one step's batch (dropout seeded by step, so a resumed run repeats it exactly)."""
    torch.manual_seed(cfg.seed * 7919 + step)
    device = next(model.parameters()).device
    for name in ("input_ids", "token_type_ids", "attention_mask", "labels", "next_sentence_label"):
        setattr(batch, name, getattr(batch, name).to(device))
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cfg.bf16):
        return forward_losses(model, batch, cfg.nsp_weight)


@dataclass(frozen=True)
class EvalResult:
    """Held-out quality: MLM top-1 on hidden tokens and NSP accuracy on the pairs."""

    mlm_accuracy: float  # share of hidden tokens whose top-1 prediction is the original token
    nsp_accuracy: float  # share of pairs classified correctly (IsNext vs NotNext)
    hidden_tokens: int
    pairs: int


@torch.no_grad()
def evaluate(model: BertForPreTraining, tokenizer: PreTrainedTokenizerBase, pairs: list[SentencePair],
             max_seq_len: int = 128, seed: int = 0, batch_size: int = 32,
             mask_rate: float = MASK_RATE) -> EvalResult:
    """Score a model on fixed pairs with fixed masks (same seed, same masks: runs compare fairly)."""
    was_training, rng = model.training, random.Random(seed)
    model.eval()
    device = next(model.parameters()).device
    mlm_hits = mlm_total = nsp_hits = 0
    for start in range(0, len(pairs), batch_size):
        batch = make_batch(pairs[start:start + batch_size], tokenizer, max_seq_len, rng, mask_rate)
        for name in ("input_ids", "token_type_ids", "attention_mask", "labels", "next_sentence_label"):
            setattr(batch, name, getattr(batch, name).to(device))
        metrics = forward_losses(model, batch)[1]  # the projection runs on hidden tokens only
        hidden = (batch.labels != IGNORE_INDEX).sum().item()
        mlm_hits += round(metrics.mlm_accuracy * hidden)
        mlm_total += hidden
        nsp_hits += round(metrics.nsp_accuracy * len(batch.next_sentence_label))
    model.train(was_training)
    return EvalResult(mlm_hits / max(1, mlm_total), nsp_hits / max(1, len(pairs)), mlm_total, len(pairs))
