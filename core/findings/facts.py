"""Hand-written cloze facts for the knowledge-probe card, in the style of LAMA (Petroni et al. 2019).

Each statement has one [MASK] and one answer that is a single WordPiece of the bert-base-uncased vocabulary
(tests/core/test_findings.py checks it on the bundled model, which uses that vocabulary). The set is small and
written for this project — not LAMA's T-REx, Google-RE, ConceptNet or SQuAD — so its P@1 is a rough echo of
the paper's, never the same measurement.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.lib.i18n import Text


@dataclass(frozen=True)
class Fact:
    relation: str  # the group it is scored in
    text: str  # the statement, with exactly one [MASK]
    answer: str  # the single word-piece that fills it


def _facts(relation: str, *rows: tuple[str, str]) -> list[Fact]:
    return [Fact(relation, text, answer) for text, answer in rows]


FACTS: tuple[Fact, ...] = (
    *_facts("capital",
            ("The capital of France is [MASK].", "paris"),
            ("The capital of Japan is [MASK].", "tokyo"),
            ("The capital of Italy is [MASK].", "rome"),
            ("The capital of Germany is [MASK].", "berlin"),
            ("The capital of Spain is [MASK].", "madrid"),
            ("The capital of Russia is [MASK].", "moscow"),
            ("The capital of Egypt is [MASK].", "cairo"),
            ("The capital of England is [MASK].", "london")),
    *_facts("language",
            ("People in France speak [MASK].", "french"),
            ("People in Germany speak [MASK].", "german"),
            ("People in Spain speak [MASK].", "spanish"),
            ("People in Italy speak [MASK].", "italian"),
            ("People in Japan speak [MASK].", "japanese"),
            ("People in Brazil speak [MASK].", "portuguese"),
            ("People in Russia speak [MASK].", "russian")),
    *_facts("continent or country",
            ("Kenya is a country in [MASK].", "africa"),
            ("Japan is a country in [MASK].", "asia"),
            ("Portugal is a country in [MASK].", "europe"),
            ("Sydney is a city in [MASK].", "australia"),
            ("Toronto is a city in [MASK].", "canada"),
            ("Mumbai is a city in [MASK].", "india")),
    *_facts("made of",
            ("Cheese is made from [MASK].", "milk"),
            ("Bread is made from [MASK].", "flour"),
            ("A window is made of [MASK].", "glass"),
            ("Paper is made from [MASK].", "wood"),
            ("Wine is made from [MASK].", "grapes"),
            ("Ice is made of frozen [MASK].", "water"),
            ("A sweater is often made of [MASK].", "wool")),
    *_facts("animals",
            ("A puppy is a young [MASK].", "dog"),
            ("A kitten is a young [MASK].", "cat"),
            ("A calf is a young [MASK].", "cow"),
            ("A foal is a young [MASK].", "horse"),
            ("A lamb is a young [MASK].", "sheep"),
            ("The dog began to [MASK] at the stranger.", "bark"),
            ("The lion opened its mouth and let out a loud [MASK].", "roar")),
    *_facts("opposites",
            ("The opposite of hot is [MASK].", "cold"),
            ("The opposite of up is [MASK].", "down"),
            ("The opposite of big is [MASK].", "small"),
            ("The opposite of day is [MASK].", "night"),
            ("The opposite of black is [MASK].", "white"),
            ("The opposite of happy is [MASK].", "sad"),
            ("The opposite of bad is [MASK].", "good")),
    *_facts("everyday knowledge",
            ("There are seven days in a [MASK].", "week"),
            ("There are twelve months in a [MASK].", "year"),
            ("The sun rises in the [MASK].", "east"),
            ("Bees make [MASK].", "honey"),
            ("A triangle has three [MASK].", "sides"),
            ("Birds use their wings to [MASK].", "fly"),
            ("You keep money in a [MASK].", "bank")),
)
# The relations' names as the page and the charts show them (the statements stay English: the vocabulary is).
RELATION_NAMES = {
    "capital": Text("capital", "首都"), "language": Text("language", "语言"),
    "continent or country": Text("continent or country", "所在大洲或国家"), "made of": Text("made of", "材料"),
    "animals": Text("animals", "动物"), "opposites": Text("opposites", "反义词"),
    "everyday knowledge": Text("everyday knowledge", "日常常识"),
}
