"""The heads a BERT-family checkpoint can carry: one vocabulary (`Head`), which of them are real trained weights
(`Capabilities`), the one reader of their logits, and the one error a view raises when a head is missing.

Note sections 3–4: pre-training gives BERT its MLM and NSP heads (ALBERT: SOP); each of the four uses adds its
own small head on top (a classifier on [CLS], one per token, or start/end logits). A head whose weights were not
in the checkpoint would be random, so no view ever shows its output.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

import torch
from transformers import (
    AutoModelForQuestionAnswering,
    AutoModelForSequenceClassification,
    AutoModelForTokenClassification,
)

from core import config


class Head(enum.StrEnum):
    """A head by role; its value is the Capabilities field that says whether the model really has it."""

    MLM = "mlm"
    NSP = "nsp"
    SOP = "sop"
    QA = "qa"
    SEQUENCE = "sequence_classification"
    TOKEN = "token_classification"

    @property
    def label(self) -> str:
        """The head in words, for messages, model cards and the CLI."""
        return _LABELS[self]

    @property
    def short(self) -> str:
        """The head's short name: "MLM", "NSP", "SOP", "QA", "sequence classification", "token classification"."""
        return self.value.upper() if len(self.value) <= 3 else self.value.replace("_", " ")

    @property
    def pretraining(self) -> bool:
        """Whether pre-training makes this head (the Pre-train page), not fine-tuning (the fine-tune page)."""
        return self in (Head.MLM, Head.NSP, Head.SOP)

    @property
    def prefixes(self) -> tuple[str, ...]:
        """Parameter-name prefixes of this head across the BERT family (BERT, ALBERT, RoBERTa, DistilBERT,
        ELECTRA's generator); the two classifiers share theirs, the model's class tells them apart."""
        return _PREFIXES[self]


_LABELS = {
    Head.MLM: "masked-word prediction (MLM)",
    Head.NSP: "next-sentence prediction (NSP)",
    Head.SOP: "sentence-order prediction (SOP)",
    Head.QA: "question answering (start/end)",
    Head.SEQUENCE: "sentence classification",
    Head.TOKEN: "token classification",
}
_CLASSIFIER_PREFIXES = ("classifier.", "pre_classifier.")
_PREFIXES = {
    Head.MLM: ("cls.predictions.", "predictions.", "lm_head.", "vocab_transform.", "vocab_projector.",
               "generator_predictions.", "generator_lm_head."),  # the last two: ELECTRA's generator
    Head.NSP: ("cls.seq_relationship.",),
    Head.SOP: ("sop_classifier.",),
    Head.QA: ("qa_outputs.",),
    Head.SEQUENCE: _CLASSIFIER_PREFIXES,
    Head.TOKEN: _CLASSIFIER_PREFIXES,
}

# The head model each of the four uses (note section 4) trains and loads: a classifier on [CLS] for a sentence or a
# pair, one per token, or start/end logits.
TASK_MODEL_CLASSES = {
    "sentence": AutoModelForSequenceClassification,
    "pair": AutoModelForSequenceClassification,
    "token": AutoModelForTokenClassification,
    "qa": AutoModelForQuestionAnswering,
}
# Every head's parameter prefixes: weights outside them (and the pooler) are the encoder's.
HEAD_PARAMETER_PREFIXES = tuple(dict.fromkeys(p for head in Head for p in head.prefixes))


@dataclass(frozen=True)
class Capabilities:
    """Which heads of a checkpoint hold real trained weights (never a random initialisation)."""

    mlm: bool = False
    nsp: bool = False
    sop: bool = False
    qa: bool = False
    sequence_classification: bool = False
    token_classification: bool = False
    labels: tuple[str, ...] = ()  # class names of a classification head, in logit order

    def has(self, head: Head | str) -> bool:
        return getattr(self, Head(head).value)

    @property
    def heads(self) -> list[Head]:
        """The real heads, in Head's order."""
        return [head for head in Head if self.has(head)]

    @property
    def names(self) -> list[str]:
        """Readable names of the real heads, for model cards and the CLI."""
        return [head.label for head in self.heads]


def detect_capabilities(model: torch.nn.Module, missing_keys: set[str]) -> Capabilities:
    """Which heads of a loaded model are real: their parameters exist and were all read from the checkpoint."""
    names = [n for n, _ in model.named_parameters()]

    def real(head: Head) -> bool:
        params = [n for n in names if n.startswith(head.prefixes)]
        return bool(params) and not any(k.startswith(head.prefixes) for k in missing_keys)

    arch = type(model).__name__
    classifier = real(Head.SEQUENCE)  # the two classifiers share their prefixes
    labels = tuple(model.config.id2label[i] for i in sorted(model.config.id2label))
    return Capabilities(
        mlm=real(Head.MLM), nsp=real(Head.NSP), sop=real(Head.SOP), qa=real(Head.QA),
        sequence_classification=classifier and arch.endswith("ForSequenceClassification"),
        token_classification=classifier and arch.endswith("ForTokenClassification"),
        labels=labels if classifier else (),
    )


def logits(output, head: Head | str) -> torch.Tensor:
    """The one reader of a head's logits from a Hugging Face model output: MLM (batch, seq, vocab), NSP/SOP
    (batch, 2; index 0 = "B follows A"), QA (batch, seq, 2; start then end), classifiers (batch, labels) or
    (batch, seq, labels)."""
    head = Head(head)
    if head is Head.MLM:
        found = getattr(output, "prediction_logits", None)  # BertForPreTraining; a masked-LM model: .logits
        return output.logits if found is None else found
    if head is Head.NSP:
        return output.seq_relationship_logits
    if head is Head.SOP:
        return output.sop_logits
    if head is Head.QA:
        return torch.stack([output.start_logits, output.end_logits], dim=-1)
    return output.logits


class HasHeads(Protocol):
    """What require_head reads of a model: a LoadedModel (core/model/loading.py) is one."""

    name: str
    capabilities: Capabilities


class MissingHeadError(ValueError):
    """A view needs a head the model does not really have. `head` says which; the message names the page that can
    make one (`head.pretraining`: the Pre-train page, else the fine-tune page)."""

    def __init__(self, message: str, head: Head | str):
        super().__init__(message)
        self.head = Head(head)


def require_head(loaded: HasHeads, head: Head | str) -> None:
    """MissingHeadError when a view needs a head the model does not really have, naming the page that can make
    one: Pre-train for the pre-training heads, Fine-tune for the others."""
    head = Head(head)
    if loaded.capabilities.has(head):
        return
    missing = f"{loaded.name!r} has no trained {head.label} head, so it cannot make this prediction; "
    if head.pretraining:
        raise MissingHeadError(
            missing + f"pick a model that has one in the sidebar ('{config.BUNDLED_ALIAS}' has MLM and NSP heads), "
            "or pre-train one on the Pre-train page", head)
    raise MissingHeadError(missing + "pick a model that has one in the sidebar, or train one on the fine-tune page",
                           head)
