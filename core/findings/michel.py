"""Card "michel": are all heads needed? — Michel, Levy & Neubig (2019), "Are Sixteen Heads Really Better than One?".

Head importance is the gradient of the loss with respect to a gate on each head's output (a mask of ones that
multiplies it, core/attention/probe.head_gates): I_h = Σ_x |∂L(x)/∂ξ_h|, here with L the MLM loss of a batch of
corpus sentences with 15 % of their tokens masked (the paper's code sums |gradient| per batch too), normalised
per layer (l2) as the paper does. Then heads are switched off
in order of increasing importance, 0 %, 10 % … 90 % of them, and the MLM top-1 accuracy on other masked tokens
is measured at each step. The paper: a large share of heads can go with little loss (40 % of BERT's on MNLI).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.attention.probe import head_gates
from core.findings import corpus
from core.findings.result import Card, OnProgress, Paper, Table, Verdict
from core.lib.i18n import Text
from core.mlm.fill_mask import callable_mlm_head
from core.mlm.masking import MaskingRule, plan_masking
from core.mlm.scoring import log_probs_at
from core.model import forward
from core.model import loading as models
from core.model.capabilities import Head, require_head
from core.model.inputs import EncodedInput
from core.model.layers import attention_layer_label
from core.render import percent

# Every chosen token becomes [MASK] (no 10 % random / kept: the accuracy is read on masked tokens only).
MASK_ONLY = MaskingRule(select_rate=0.15, mask_rate=1.0, random_rate=0.0)
IMPORTANCE_SEED, IMPORTANCE_DRAWS = 1, 2  # the masks the gradients are taken on: 2 masked copies of each sentence
EVAL_SEED, EVAL_DRAWS = 2, 2  # other masks of the same sentences (2 copies each), for the accuracy
BATCH_SIZE = 64  # masked sentences of one length per pass
PRUNED_SHARES = tuple(step / 10 for step in range(10))  # 0 %, 10 %, … 90 % of the heads
KEEP_ACCURACY = 0.9  # "little loss": accuracy at least this share of the unpruned model's
PAPER_PRUNABLE = 0.4  # the paper: 40 % of BERT's heads (MNLI) go without a noticeable drop

CARD = Card(
    key="michel",
    name=Text("Pruning heads (Michel)", "剪枝注意力头（Michel）"),
    title=Text("Are all heads needed? Pruning heads by importance", "每个头都必要吗？按重要性剪枝注意力头"),
    paper=Paper("Michel, Levy & Neubig", 2019, "Are Sixteen Heads Really Better than One?", "NeurIPS"),
    claim=Text("A large share of attention heads can be removed at test time without much loss: pruned in order of "
               "increasing importance (gradient of the loss w.r.t. a head mask), up to 40 % of BERT's heads go before "
               "MNLI accuracy drops noticeably.",
               "测试时可以去掉很大一部分注意力头，而效果几乎不受损失：按重要性（损失对头掩码的梯度）从低到高剪枝，"
               "BERT 最多可以去掉 40 % 的头，MNLI 准确率才明显下降。"),
    figure=Text("Figure 3(b): BERT on MNLI keeps its accuracy with 40 % of its heads pruned by importance, then falls "
                "quickly.",
                "图 3(b)：在 MNLI 上，BERT 按重要性剪掉 40 % 的头后仍保持准确率，之后迅速下降。"),
)
# The measured line and the verdict, filled from the same numbers in both languages.
MEASURED = Text("MLM top-1 {full} with every head; {prunable} of the heads can go while accuracy stays ≥ {keep} of "
                "that; {last} with {last_pruned} gone.",
                "保留全部头时 MLM top-1 准确率为 {full}；去掉 {prunable} 的头，准确率仍不低于这一数值的 {keep}；"
                "去掉 {last_pruned} 时为 {last}。")
VERDICT = Text("{prunable} of the heads can be pruned within {keep} of the unpruned accuracy (paper: {paper} of BERT's)",
               "可以剪掉 {prunable} 的头，而准确率仍不低于未剪枝时的 {keep}（论文：BERT 的头可剪掉 {paper}）")


@dataclass(frozen=True)
class MichelResult:
    card: Card
    model_name: str
    sentences: int  # corpus sentences masked (each in IMPORTANCE_DRAWS and EVAL_DRAWS copies)
    importance: np.ndarray  # (layers, heads) Σ over sentences of |∂ MLM loss / ∂ head gate|
    normalized: np.ndarray  # (layers, heads) importance divided by its layer's l2 norm: the pruning order
    pruned_shares: list[float]  # (steps,) share of heads switched off at each step
    accuracy: list[float]  # (steps,) MLM top-1 accuracy on the masked tokens
    masked_tokens: int  # predictions each accuracy is read on
    prunable_share: float  # the largest step whose accuracy, and every step's before it, is ≥ KEEP_ACCURACY × unpruned
    measured: Text
    verdict: Verdict
    table: Table


@dataclass(frozen=True)
class _Masked:
    ids: list[int]  # (seq,) the sentence with its chosen tokens masked
    token_type_ids: list[int]  # (seq,)
    positions: list[int]  # the masked positions
    labels: list[int]  # their original ids


def _masked(loaded: models.LoadedModel, encoded: list[EncodedInput], seed: int, draws: int) -> list[_Masked]:
    """`draws` masked copies of every sentence (15 % of its ordinary tokens, at least one), seeded."""
    rng = np.random.default_rng(seed)
    mask_id, specials = loaded.tokenizer.mask_token_id, set(loaded.tokenizer.all_special_ids)
    out = []
    for enc in encoded:
        candidates = [i for i, t in enumerate(enc.input_ids) if t not in specials]
        for _ in range(draws if candidates else 0):
            plan = plan_masking(rng, candidates, np.array([mask_id]), enc.input_ids, MASK_ONLY, mask_id)
            ids = list(enc.input_ids)
            for p in plan.positions:
                ids[p] = mask_id
            out.append(_Masked(ids, list(enc.token_type_ids), plan.positions, [enc.input_ids[p] for p in plan.positions]))
    return out


def _by_length(examples: list[_Masked]) -> list[list[_Masked]]:
    """Examples grouped by length, at most BATCH_SIZE a group: each group is one batch without padding."""
    groups: dict[int, list[_Masked]] = {}
    for example in examples:
        groups.setdefault(len(example.ids), []).append(example)
    return [group[start:start + BATCH_SIZE] for group in groups.values() for start in range(0, len(group), BATCH_SIZE)]


def _gradient(loaded: models.LoadedModel, head, batch: list[_Masked], gates: torch.Tensor) -> torch.Tensor:
    """|∂ MLM loss / ∂ gates| for one batch of masked sentences of one length. (layers, heads)"""
    inputs = forward.batch_inputs(loaded, [e.ids for e in batch], [e.token_type_ids for e in batch])
    rows = torch.tensor([r for r, e in enumerate(batch) for _ in e.positions], device=loaded.device)
    columns = torch.tensor([p for e in batch for p in e.positions], device=loaded.device)
    labels = torch.tensor([label for e in batch for label in e.labels], device=loaded.device)
    with torch.enable_grad(), head_gates(loaded, gates):
        hidden = loaded.encoder(**inputs).last_hidden_state[rows, columns]
        loss = torch.nn.functional.cross_entropy(head(hidden).float(), labels)
        (gradient,) = torch.autograd.grad(loss, gates)  # the model's own weights get no .grad
    return gradient.abs()


def _importance(loaded: models.LoadedModel, batches: list[list[_Masked]], report) -> np.ndarray:
    """Σ over batches of |∂ MLM loss / ∂ head gate| (the paper's code sums per batch too). (layers, heads)"""
    head = callable_mlm_head(loaded)
    shape = (loaded.config.num_hidden_layers, loaded.config.num_attention_heads)
    gates = torch.ones(shape, device=loaded.device, requires_grad=True)
    total = torch.zeros(shape, device=loaded.device)
    for batch in batches:
        total += _gradient(loaded, head, batch, gates)
        report()
    return total.cpu().numpy()


def _accuracy(loaded: models.LoadedModel, batches: list[list[_Masked]], gates: torch.Tensor) -> float:
    """MLM top-1 accuracy on the masked tokens with the heads gated."""
    hits = []
    with head_gates(loaded, gates):
        for batch in batches:
            top1, _ = log_probs_at(loaded, [e.ids for e in batch], batch[0].token_type_ids,
                                   [e.positions for e in batch], reduce=lambda log_probs: log_probs.argmax(dim=-1))
            hits.extend(int(p) == label for e, row in zip(batch, top1) for p, label in zip(row, e.labels))
    return float(np.mean(hits))


def _prune_gates(order: np.ndarray, shape: tuple[int, int], share: float, device) -> torch.Tensor:
    """Gates of zero on the round(share × heads) least important heads (`order`: flat indices, least first)."""
    gates = torch.ones(shape[0] * shape[1], device=device)
    gates[torch.as_tensor(order[:round(share * gates.numel())], dtype=torch.long)] = 0.0
    return gates.reshape(shape)


def _prunable(accuracy: list[float]) -> float:
    kept = 0.0
    for share, value in zip(PRUNED_SHARES, accuracy):
        if value < KEEP_ACCURACY * accuracy[0]:
            break
        kept = share
    return kept


def _normalized(importance: np.ndarray) -> np.ndarray:
    """Importance divided by its layer's l2 norm (Michel et al. §4.1: it orders heads across layers). (layers, heads)"""
    return importance / np.maximum(np.linalg.norm(importance, axis=1, keepdims=True), 1e-12)


def _table(importance: np.ndarray, normalized: np.ndarray, curve: list[float]) -> Table:
    """One row per head (its importance), then one per pruning step (its accuracy)."""
    heads = [("head", attention_layer_label(layer), head, float(importance[layer, head]), float(normalized[layer, head]),
              None, None) for layer in range(importance.shape[0]) for head in range(importance.shape[1])]
    steps = [("pruning step", "", None, None, None, share, value) for share, value in zip(PRUNED_SHARES, curve)]
    return Table(("row", "layer", "head", "importance", "normalized importance", "share of heads pruned",
                  "MLM top-1 accuracy"), heads + steps)


def _result(loaded, sentences: int, importance: np.ndarray, curve: list[float], masked_tokens: int) -> MichelResult:
    normalized = _normalized(importance)
    prunable = _prunable(curve)
    measured = MEASURED.format(full=percent(curve[0]), prunable=percent(prunable), keep=percent(KEEP_ACCURACY),
                               last=percent(curve[-1]), last_pruned=percent(PRUNED_SHARES[-1]))
    verdict = Verdict.of(prunable >= PAPER_PRUNABLE, VERDICT.format(
        prunable=percent(prunable), keep=percent(KEEP_ACCURACY), paper=percent(PAPER_PRUNABLE)))
    return MichelResult(CARD, loaded.name, sentences, importance.astype(np.float32), normalized.astype(np.float32),
                        list(PRUNED_SHARES), curve, masked_tokens, prunable, measured, verdict,
                        _table(importance, normalized, curve))


def michel(loaded: models.LoadedModel, on_progress: OnProgress = None) -> MichelResult:
    """Head importance by gradient, then MLM accuracy as the least important heads are pruned. (layers, heads)"""
    require_head(loaded, Head.MLM)
    encoded = [forward.encode_for(loaded, sentence) for sentence in corpus.sentences()]
    for_importance = _by_length(_masked(loaded, encoded, IMPORTANCE_SEED, IMPORTANCE_DRAWS))
    for_accuracy = _by_length(_masked(loaded, encoded, EVAL_SEED, EVAL_DRAWS))
    total = len(for_importance) + len(PRUNED_SHARES)
    steps = iter(range(1, total + 1))

    def report() -> None:
        if on_progress:
            on_progress(next(steps), total)

    importance = _importance(loaded, for_importance, report)
    order = np.argsort(_normalized(importance), axis=None, kind="stable")  # least important first
    curve = []
    for share in PRUNED_SHARES:
        curve.append(_accuracy(loaded, for_accuracy, _prune_gates(order, importance.shape, share, loaded.device)))
        report()
    return _result(loaded, len(encoded), importance, curve, sum(len(e.positions) for batch in for_accuracy for e in batch))
