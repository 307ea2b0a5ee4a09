"""Foundation commands: `models`, `tokenize`, `analyze`."""

from __future__ import annotations

import argparse

from core import config
from core.cli.args import add_common, add_sentences
from core.lib.numerics import softmax
from core.model import card as model_card
from core.model import forward
from core.model import loading as models


def load_for_cli(name: str | None) -> models.LoadedModel:
    """The named model, or the app's default when none is named."""
    return models.load_model(name or models.choose_default_model()[0])


def cmd_models(args: argparse.Namespace) -> dict:
    """Models available offline (bundled, the ready-made task models, trained here, in the HF cache) and their real heads."""
    default, why = models.choose_default_model()
    names = [config.BUNDLED_ALIAS, *config.READY_ALIASES, *models.trained_models(), *cached_hub_models()]
    listed = []
    for name in dict.fromkeys(names):
        try:
            card = model_card.model_card(models.load_model(name, device=models.torch.device("cpu")))
            listed.append({"name": name, "layers": card.num_layers, "hidden": card.hidden_size,
                           "heads": card.capabilities.names, "parameters": card.num_parameters})
        except ValueError as err:
            listed.append({"name": name, "error": str(err)})
    return {"default": default, "why": why, "device": str(models.pick_device()), "models": listed}


def cached_hub_models() -> list[str]:
    """BERT-family hub models already in the local Hugging Face cache."""
    try:
        from huggingface_hub import scan_cache_dir

        repos = scan_cache_dir().repos
    except Exception:  # no cache folder yet, or an unreadable one: nothing cached
        return []
    return sorted(r.repo_id for r in repos if r.repo_type == "model")


def cmd_tokenize(args: argparse.Namespace) -> dict:
    """[CLS] A [SEP] B [SEP] as WordPiece pieces with ids and segment ids."""
    loaded = load_for_cli(args.model)
    encoded = forward.encode_for(loaded, args.a, args.b)
    rows = [
        {"position": i, "token": t, "id": tid, "segment": seg, "sentence": sid, "word": wid}
        for i, (t, tid, seg, sid, wid) in enumerate(
            zip(encoded.tokens, encoded.input_ids, encoded.token_type_ids, encoded.sentence_ids, encoded.word_ids)
        )
    ]
    return {"model": loaded.name, "tokens": rows, "truncation": encoded.truncation_notice() or None}


def analysis_summary(analysis: forward.Analysis) -> dict:
    """Shapes of every captured array and what each real head says."""
    arrays = {f: getattr(analysis, f) for f in (
        "token_embeddings", "segment_embeddings", "position_embeddings", "embedding_output",
        "hidden_states", "attentions", "next_sentence_logits", "start_logits",
        "end_logits", "sequence_logits", "token_logits")}
    shapes = {name: list(a.shape) for name, a in arrays.items() if a is not None}
    summary = {"model": analysis.model_name, "tokens": analysis.inputs.tokens, "shapes": shapes,
               "truncation": analysis.inputs.truncation_notice() or None}
    if analysis.next_sentence_logits is not None:
        probs = softmax(analysis.next_sentence_logits)
        summary["p_is_next"] = float(probs[0])
    return summary


def cmd_analyze(args: argparse.Namespace) -> dict:
    """The one forward pass, summarised."""
    loaded = load_for_cli(args.model)
    return analysis_summary(forward.analyze(loaded, args.a, args.b))


def register(subparsers) -> None:
    parser = subparsers.add_parser("models", help="models available offline and their heads")
    add_common(parser, model=False)
    parser.set_defaults(func=cmd_models)
    for name, func, text in (("tokenize", cmd_tokenize, "tokenize a sentence or pair"),
                             ("analyze", cmd_analyze, "run the one-pass analysis and summarise it")):
        parser = subparsers.add_parser(name, help=text)
        add_common(parser)
        add_sentences(parser)
        parser.set_defaults(func=func)
