"""Build the ready-made task models (issue 17): `bundled` fine-tuned by the project's own runner, shipped as LoRA.

    python3 scripts/build_task_models.py --run-dir /tmp/task-run [--tasks sentence token qa] [--force]

For each task it draws a training set from core/finetune/demo.py's everyday generators, with pools widened
at build time (read here, never copied into the repository):
- Faker (MIT; scripts/requirements-build.txt): first names and surnames of many locales, company names;
- WordNet 3.0 (Debian `wordnet-base`, Princeton's licence allows any use): instance nouns that are cities,
  towns, ports, capitals, countries, rivers, islands, mountains and states; full names of famous people;
- the VADER sentiment lexicon (vaderSentiment, MIT) ∩ WordNet's adjectives: adjectives of clear valence.
It fine-tunes with core.finetune.runner (a rank-16 LoRA adapter + the task head over `bundled`), exports the
adapter in fp16 to assets/task_models/<alias>/, loads the shipped model the way the app does, and scores it on
the hand-written held-out sets (bench/data, core/finetune/heldout.py), writing everything to card.json.
A finished task is skipped on a rerun (resume) unless --force; the runner's checkpoints live in --run-dir.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402

from core import config  # noqa: E402
from core.finetune import demo, heldout  # noqa: E402
from core.finetune import runner as finetune  # noqa: E402
from core.finetune.data import make_task_data  # noqa: E402
from core.model import adapter, ready  # noqa: E402
from core.model import loading as models  # noqa: E402

WORDNET = Path("/usr/share/wordnet")
FAKER_LOCALES = ("en_US", "en_GB", "en_IN", "es_ES", "es_MX", "fr_FR", "de_DE", "it_IT", "pt_BR", "pl_PL", "nl_NL",
                 "sv_SE", "tr_TR", "en_AU", "en_IE", "da_DK", "no_NO", "fi_FI", "cs_CZ", "ro_RO")
CITY_KINDS = {"city", "town", "port", "national_capital", "state_capital"}
PLACE_KINDS = {"river", "island", "mountain_peak", "American_state", "geographical_area", "lake", "range",
               "national_park", "region", "desert", "peninsula"}
COUNTRY_KINDS = {"country", "African_country", "European_country", "Asian_country", "South_American_country",
                 "European_nation", "Asian_nation", "African_nation", "kingdom", "sultanate", "republic"}
PERSON_KINDS = {"writer", "poet", "composer", "statesman", "painter", "philosopher", "physicist", "dramatist",
                "chemist", "actor", "actress", "architect", "mathematician", "film_maker", "novelist", "singer",
                "astronomer", "sculptor", "explorer", "inventor", "biologist", "economist", "historian"}
# Per task: training examples, epochs, learning rate (LoRA likes a higher one than full fine-tuning), max length.
SETTINGS = {
    "sentence": dict(size=4000, epochs=3, learning_rate=1e-3, max_length=64),
    "token": dict(size=4000, epochs=3, learning_rate=1e-3, max_length=64),
    "qa": dict(size=8000, epochs=2, learning_rate=1e-3, max_length=256, doc_stride=64),
}
LORA_RANK = 16
SEED = 17
ALIASES = {task: alias for task, alias in config.READY_MODELS.items() if alias != config.BUNDLED_ALIAS}


def ascii_name(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Za-z'\-]+( [A-Z][A-Za-z'\-]+)*", text))


def faker_pools() -> dict[str, tuple[str, ...]]:
    from faker import Faker

    first, last, companies = set(), set(), set()
    for locale in FAKER_LOCALES:
        fake = Faker(locale)
        fake.seed_instance(SEED)
        for _ in range(400):
            first.add(fake.first_name())
            last.add(fake.last_name())
        if locale.startswith("en"):
            companies.update(fake.company() for _ in range(300))
    return {"first_names": tuple(sorted(n for n in first if ascii_name(n))),
            "surnames": tuple(sorted(n for n in last if ascii_name(n))),
            "organisations": tuple(sorted(c for c in companies if "," not in c and ascii_name(c.replace(" and ", " And "))))}


def wordnet_instances(root: Path = WORDNET) -> dict[str, set[str]]:
    """{kind lemma: instance lemmas} from data.noun's instance-hypernym pointers (@i)."""
    first, pointers = {}, []
    for line in (root / "data.noun").read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("  "):
            continue
        parts = line.split(" ")
        count = int(parts[3], 16)
        lemmas = [re.sub(r"\(.*\)$", "", parts[4 + 2 * i]) for i in range(count)]
        first[parts[0]] = lemmas[0]
        at = 4 + 2 * count
        for i in range(int(parts[at])):
            if parts[at + 1 + 4 * i] == "@i":
                pointers.append((lemmas, parts[at + 2 + 4 * i]))
    kinds: dict[str, set[str]] = {}
    for lemmas, target in pointers:
        kinds.setdefault(first.get(target, ""), set()).update(lemmas)
    return kinds


def wordnet_pools() -> dict[str, tuple[str, ...]]:
    kinds = wordnet_instances()

    def names(wanted: set[str], words_min: int = 1) -> tuple[str, ...]:
        found = {lemma.replace("_", " ") for kind in wanted for lemma in kinds.get(kind, ())}
        return tuple(sorted(n for n in found if ascii_name(n) and len(n.split()) >= words_min and len(n) > 2))

    return {"cities": names(CITY_KINDS), "countries": names(COUNTRY_KINDS), "other_places": names(PLACE_KINDS),
            "people": names(PERSON_KINDS, words_min=2)}


def valence_adjectives(threshold: float = 1.8) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(positive, negative) single-word adjectives: VADER mean valence ≥ threshold / ≤ -threshold, listed in
    WordNet's adjective index with at least one tagged sense (common words)."""
    import vaderSentiment

    common = set()  # index.adj lines: lemma pos synset_cnt p_cnt [p_cnt pointer symbols] sense_cnt tagsense_cnt …
    for line in (WORDNET / "index.adj").read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if line.startswith(" ") or len(parts) < 6 or not parts[0].isalpha():
            continue
        if int(parts[5 + int(parts[3])]) > 0:
            common.add(parts[0])
    lexicon = Path(vaderSentiment.__file__).with_name("vader_lexicon.txt")
    positive, negative = set(), set()
    for line in lexicon.read_text(encoding="utf-8", errors="replace").splitlines():
        word, mean, *_ = line.split("\t")
        if word in common and word.isalpha() and len(word) > 2:
            if float(mean) >= threshold:
                positive.add(word)
            elif float(mean) <= -threshold:
                negative.add(word)
    return tuple(sorted(positive)), tuple(sorted(negative))


def build_pools() -> demo.Pools:
    fake, wordnet = faker_pools(), wordnet_pools()
    positive, negative = valence_adjectives()
    base = demo.DEFAULT_POOLS
    famous_last = tuple(p.split()[-1] for p in wordnet["people"])  # their first lemmas hold titles ("Lady")
    return demo.Pools(
        first_names=tuple(sorted(set(base.first_names) | set(fake["first_names"]))),
        surnames=tuple(sorted(set(base.surnames) | set(fake["surnames"]) | set(famous_last))),
        cities=tuple(sorted(set(base.cities) | set(wordnet["cities"]))),
        countries=tuple(sorted(set(base.countries) | set(wordnet["countries"]))),
        other_places=tuple(sorted(set(base.other_places) | set(wordnet["other_places"]))),
        organisations=tuple(sorted(set(base.organisations) | set(fake["organisations"]))),
        nationalities=base.nationalities, languages=base.languages, events=base.events, products=base.products,
        positive=tuple(sorted(set(base.positive) | set(positive))),
        negative=tuple(sorted(set(base.negative) | set(negative))),
    )


def pool_sizes(pools: demo.Pools) -> dict[str, int]:
    return {name: len(getattr(pools, name)) for name in ("first_names", "surnames", "cities", "countries",
                                                         "other_places", "organisations", "events", "positive",
                                                         "negative")}


def export(checkpoint: Path, alias: str) -> dict:
    """The run's adapter in fp16 into assets/task_models/<alias>/lora.safetensors; returns its size."""
    tensors = {k: v.half().contiguous() for k, v in load_file(str(checkpoint / adapter.ADAPTER_WEIGHTS)).items()}
    target = ready.READY_DIR / alias / adapter.ADAPTER_WEIGHTS
    target.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(target))
    return {"tensors": len(tensors), "parameters": sum(t.numel() for t in tensors.values()),
            "bytes": target.stat().st_size}


def build(task: str, pools: demo.Pools, run_dir: Path) -> dict:
    alias, settings = ALIASES[task], dict(SETTINGS[task])
    size = settings.pop("size")
    examples = demo.BUILDERS[task](seed=SEED, size=size, pools=pools)
    data = make_task_data(task, examples, None, f"build: {demo.SOURCES[task]}", SEED)
    cfg = finetune.FineTuneConfig(task=task, base_model=config.BUNDLED_ALIAS, alias=f"build-{alias}", batch_size=16,
                                  lora_rank=LORA_RANK, seed=SEED, overwrite=True, device="cpu", **settings)
    config.MODELS_HOME = run_dir
    started = time.time()
    result = finetune.train(cfg, data, lambda progress: None)
    seconds = time.time() - started
    asset = export(Path(result.path), alias)
    card = {"alias": alias, "task": task, "labels": list(data.labels), "lora_rank": LORA_RANK,
            "base": "bundled (all-MiniLM-L6-v2 + this project's MLM/NSP pre-training)",
            "data": demo.SOURCES[task], "train_examples": len(data.train), "validation_examples": len(data.validation),
            "epochs": cfg.epochs, "steps": result.history[-1]["step"], "batch_size": cfg.batch_size,
            "learning_rate": cfg.learning_rate, "max_length": cfg.max_length, "train_seconds": round(seconds, 1),
            "threads": torch.get_num_threads(), "validation": result.metrics, "adapter": asset,
            "pools": pool_sizes(pools)}
    (ready.READY_DIR / alias / ready.CARD_FILE).write_text(json.dumps(card, indent=1))
    loaded = models.load_model(alias, device=torch.device("cpu"))  # the shipped adapter, merged as the app does
    scores = heldout.scores(loaded, task)
    card["held_out"] = heldout.card_figures(scores)
    for number, key in enumerate(heldout.CARD_KEYS[1:len(heldout.SETS[task])], start=2):  # the later, untouched sets
        card[key] = heldout.card_figures(heldout.scores(loaded, task, number=number))
    (ready.READY_DIR / alias / ready.CARD_FILE).write_text(json.dumps(card, indent=1))
    print(json.dumps({"alias": alias, "held_out": card["held_out"], "train_seconds": card["train_seconds"],
                      "adapter_bytes": asset["bytes"]}), flush=True)
    for miss in (scores.get("wrong") or scores.get("misses") or []):
        print("   miss:", miss, flush=True)
    return card


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", type=Path, required=True, help="where the runner's checkpoints go")
    parser.add_argument("--tasks", nargs="+", default=list(ALIASES), choices=list(ALIASES))
    parser.add_argument("--force", action="store_true", help="rebuild tasks whose asset already exists")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    pools = build_pools()
    print(json.dumps({"pools": pool_sizes(pools)}), flush=True)
    for task in args.tasks:
        if ready.is_shipped(ALIASES[task]) and not args.force:
            print(f"{ALIASES[task]}: already built (use --force to rebuild)", flush=True)
            continue
        build(task, pools, args.run_dir)


if __name__ == "__main__":
    main()
