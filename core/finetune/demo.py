"""Everyday demo sets, so each of the four ways to use BERT (note section 4) can be learned offline in minutes.

Every sentence is generated from templates and word pools written for this project (core/finetune/words.py;
our own words, the project's licence), so nothing is copied from a third-party dataset:
- sentence: is a review-like sentence positive or negative?
- token: tag people, places, organisations and other names (CoNLL tags B-/I- PER, LOC, ORG, MISC, and O);
- pair: is B the sentence that comes after A in a short story, or not?
- qa: find the answer to a where / when / who / how many / why / what question in a short passage.
The ready-made models (scripts/build_task_models.py) train on larger draws of the same generators, with
pools widened at build time; their held-out sets (bench/data) were written separately, by hand.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass

from core.finetune import templates, words
from core.finetune.data import QAExample, TaskData, TextExample, TokenExample, make_task_data

# Examples per demo set: enough to see the loss fall and the metric rise in a minute or two on a CPU.
DEMO_SIZE = 400
SOURCES = {
    "sentence": "everyday sentences written for this project: is the sentence positive or negative?",
    "pair": "two-sentence stories written for this project: is B the sentence after A?",
    "token": "everyday sentences written for this project: tag people (PER), places (LOC), organisations (ORG) "
             "and other names (MISC)",
    "qa": "short everyday passages written for this project: where / when / who / how many / why questions",
}
SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Pools:
    """Names a generator draws from; the build passes wider ones (Faker, WordNet) than the app's defaults."""

    first_names: tuple[str, ...] = words.FIRST_NAMES
    surnames: tuple[str, ...] = words.SURNAMES
    cities: tuple[str, ...] = words.CITIES
    countries: tuple[str, ...] = words.COUNTRIES
    other_places: tuple[str, ...] = words.OTHER_PLACES
    organisations: tuple[str, ...] = words.ORGANISATIONS
    nationalities: tuple[str, ...] = words.NATIONALITIES  # other names (MISC) by kind, so each fits its sentence
    languages: tuple[str, ...] = words.LANGUAGES
    events: tuple[str, ...] = words.EVENTS
    products: tuple[str, ...] = words.PRODUCTS
    positive: tuple[str, ...] = words.POSITIVE  # verdict adjectives that fit any subject
    negative: tuple[str, ...] = words.NEGATIVE

    def person(self, rng: random.Random) -> str:
        roll = rng.random()
        if roll < 0.2:
            return rng.choice(self.first_names)
        return f"{rng.choice(self.first_names)} {rng.choice(self.surnames)}"

    def place(self, rng: random.Random) -> str:
        return rng.choice(rng.choice((self.cities, self.cities, self.countries, self.other_places)))

    def organisation(self, rng: random.Random) -> str:
        if rng.random() < 0.5:
            return rng.choice(self.organisations)
        return rng.choice(words.ORG_PATTERNS).format(city=rng.choice(self.cities), surname=rng.choice(self.surnames),
                                                     country=rng.choice(self.countries), word=rng.choice(words.ORG_WORDS))


DEFAULT_POOLS = Pools()


def fill(template: str, values: dict[str, str]) -> tuple[str, dict[str, tuple[int, int]]]:
    """The template with its {slots} filled, and each slot's (start, end) character span in the result."""
    out, spans, last = [], {}, 0
    for match in SLOT.finditer(template):
        out.append(template[last:match.start()])
        start = sum(map(len, out))
        out.append(values[match.group(1)])
        spans[match.group(1)] = (start, start + len(values[match.group(1)]))
        last = match.end()
    out.append(template[last:])
    return "".join(out), spans


# ---- sentence: positive or negative ----------------------------------------------------------------------------

def _noun(subject: str) -> str:
    return subject.split()[-1]


def sentiment_example(rng: random.Random, pools: Pools = DEFAULT_POOLS) -> TextExample:
    """One sentence with its verdict: adjectives fitting the subject's topic, praise, complaints, events."""
    label = rng.choice(("positive", "negative"))
    good = label == "positive"
    topic = rng.choice(list(words.SUBJECTS))
    subject, other = rng.sample(words.SUBJECTS[topic], 2)
    fitting = words.TOPIC_ADJECTIVES[topic]
    general = pools.positive if good else pools.negative
    own = fitting[0] if good else fitting[1]
    opposite = fitting[1] if good else fitting[0]
    a, b, c = rng.choice(own + general), rng.choice(own + general), rng.choice(general)
    event = rng.choice(words.GOOD_EVENTS if good else words.BAD_EVENTS)
    roll = rng.random()
    if roll < 0.6:
        template = rng.choice(templates.VERDICT_TEMPLATES)
    elif roll < 0.9:
        template = rng.choice(templates.PRAISE if good else templates.COMPLAINT)
    else:
        template = rng.choice(("{E}.", "{E}, and {e2}.", "Sadly, {e}." if not good else "Luckily, {e}."))
    values = {"s": subject, "S": subject[0].upper() + subject[1:], "s2": other, "a": a, "A": a.capitalize(), "b": b,
              "c": c, "o": rng.choice(opposite), "n": _noun(subject), "adv": rng.choice(templates.ADVERBS),
              "E": event[0].upper() + event[1:], "e": event,
              "e2": rng.choice(words.GOOD_EVENTS if good else words.BAD_EVENTS)}
    text, _ = fill(template, values)
    return TextExample(re.sub(r"\b([Aa]) (?=[aeiou])", r"\1n ", text), None, label)  # "a awful" → "an awful"


def sentence_demo(seed: int = 0, size: int = DEMO_SIZE, pools: Pools = DEFAULT_POOLS) -> list[TextExample]:
    rng = random.Random(seed)
    return [sentiment_example(rng, pools) for _ in range(size)]


# ---- token: named entities --------------------------------------------------------------------------------------

def tagged_words(template: str, values: dict[str, str], kinds: dict[str, str]) -> tuple[list[str], list[str]]:
    """Whitespace words of the filled template and their BIO tags (a slot's words get B-/I- of its kind)."""
    tokens, tags = [], []
    for piece in template.split():
        match = SLOT.fullmatch(piece)
        if not match:
            tokens.append(piece)
            tags.append("O")
            continue
        slot = match.group(1)
        value_words = values[slot].split()
        lead = value_words[0].lower() == "the" and kinds[slot] in ("ORG", "LOC", "MISC")
        for i, word in enumerate(value_words):
            tokens.append(word)
            if lead and i == 0:
                tags.append("O")  # CoNLL leaves the article out of the name: "the United Nations" → O B-ORG I-ORG
            else:
                tags.append(("B-" if i == (1 if lead else 0) else "I-") + kinds[slot])
    return tokens, tags


# Entity slots and their kinds; a slot's words are tagged B-/I- of its kind, every other word O.
SLOT_KINDS = {"PER": "PER", "PER2": "PER", "SUR": "PER", "LOC": "LOC", "LOC2": "LOC", "ORG": "ORG", "ORG2": "ORG",
              "NAT": "MISC", "LANG": "MISC", "LANG2": "MISC", "EVENT": "MISC", "PRODUCT": "MISC"}


def ner_example(rng: random.Random, pools: Pools = DEFAULT_POOLS) -> TokenExample:
    template = rng.choice(templates.NER_TEMPLATES)
    lang, lang2 = rng.sample(pools.languages, 2)
    values = {"PER": pools.person(rng), "PER2": pools.person(rng), "LOC": pools.place(rng), "LOC2": pools.place(rng),
              "ORG": pools.organisation(rng), "ORG2": pools.organisation(rng), "SUR": rng.choice(pools.surnames),
              "NAT": rng.choice(pools.nationalities), "LANG": lang, "LANG2": lang2, "EVENT": rng.choice(pools.events),
              "PRODUCT": rng.choice(pools.products)}
    tokens, tags = tagged_words(template, values, SLOT_KINDS)
    if tokens and tags[0] == "O" and tokens[0][0].islower():
        tokens[0] = tokens[0][0].upper() + tokens[0][1:]  # "the Thames flooded" starts a sentence as "The"
    return TokenExample(tuple(tokens), tuple(tags))


def token_demo(seed: int = 0, size: int = DEMO_SIZE, pools: Pools = DEFAULT_POOLS) -> list[TokenExample]:
    rng = random.Random(seed)
    return [ner_example(rng, pools) for _ in range(size)]


# ---- pair: is B the next sentence? -------------------------------------------------------------------------------

def pair_demo(seed: int = 0, size: int = DEMO_SIZE, stories: tuple = templates.STORIES) -> list[TextExample]:
    """Story pairs: B after A (next), B from another story, or B before A (both not next): the note's three
    kinds of pair, so a fine-tuned head must learn order and topic, not topic alone."""
    rng = random.Random(seed)
    examples = []
    while len(examples) < size:
        a, b = rng.choice(stories)
        roll = rng.random()
        if roll < 0.5:
            examples.append(TextExample(a, b, "next"))
        elif roll < 0.8:
            other = rng.choice([s for s in stories if s[0] != a])
            examples.append(TextExample(a, rng.choice(other), "not next"))
        else:
            examples.append(TextExample(b, a, "not next"))
    return examples


# The pair demo validates on stories it never trains on: with only 50 stories, a random split would score
# remembered pairs.
VALIDATION_STORIES = 10


# ---- qa: answer spans in short passages ------------------------------------------------------------------------

def _team(rng: random.Random, pools: Pools) -> str:
    return f"{rng.choice(pools.cities)} {rng.choice(('United', 'FC', 'Rovers', 'Athletic', 'Wanderers', 'City'))}"


def _qa_values(rng: random.Random, pools: Pools) -> dict[str, str]:
    item, (pet, animal) = rng.choice(templates.ITEMS), rng.choice(templates.PETS)
    thing, (goods, best) = rng.choice(templates.THINGS), rng.choice(templates.STALL_GOODS)
    n = rng.choice(templates.COUNT_HEDGES) + rng.choice(templates.NUMBERS)
    day, city = rng.choice(templates.DAYS), rng.choice(pools.cities)
    month, year = rng.choice(templates.MONTHS), rng.randint(1960, 2024)
    relative = rng.random() < 0.25  # "last June", said without "in"
    when = rng.choice((f"last {month}", "last summer", "two years ago", "last spring") if relative else
                      (f"{month} {year}", f"the summer of {year}", f"early {month} {year}", f"the spring of {year}"))
    reasons = {kind: rng.choice(options) for kind, options in templates.REASONS.items()}
    values = {
        "p": pools.person(rng), "p2": pools.person(rng), "city": city, "country": rng.choice(pools.countries),
        "place": pools.place(rng), "org": pools.organisation(rng), "day": day, "item": item, "n": n,
        "when": when, "when_cap": _capitalised(when) if relative else when,  # "Last June, …" / "In June 2019, …"
        "prep": "" if relative else "in ", "Prep": "" if relative else "In ",
        "why": reasons["move"], "city2": rng.choice(pools.cities),
        "clock": rng.choice(templates.CLOCKS), "why_late": reasons["late"], "job": rng.choice(templates.JOBS),
        "venue": rng.choice(templates.VENUES), "dayevening": f"{day} evening", "daymorning": f"{day} morning",
        "daynight": f"{day} night", "team": _team(rng, pools), "team2": _team(rng, pools),
        "score": f"{rng.randint(1, 5)}-{rng.randint(0, 1)}", "why_cancel": reasons["cancel"], "pet": pet, "animal": animal,
        "park": rng.choice(templates.PARKS), "ny": rng.choice(templates.NUMBERS[:12]), "yrs": "years",
        "month": rng.choice(templates.MONTHS), "language": rng.choice(templates.LANGUAGES), "why_learn": reasons["learn"],
        "street": rng.choice(templates.STREETS), "year": str(rng.randint(1950, 2024)), "why_miss": reasons["miss"],
        "price": rng.choice(templates.PRICES), "thing": thing,
        "taught": rng.choice(templates.SUBJECTS_TAUGHT), "nh": rng.choice(templates.NUMBERS), "hrs": "hours",
        "road": f"the road to {city}", "dish": rng.choice(templates.DISHES), "why_cook": reasons["cook"],
        "km": rng.choice(templates.DISTANCES), "walk_why": reasons["walk"], "storm": reasons["storm"],
        "rel": rng.choice(templates.RELATIONS), "a_thing": _article(f"{rng.choice(templates.THING_MODIFIERS)} {thing}"),
        "shop": rng.choice(templates.SHOPS), "late_cause": rng.choice(templates.LATE_CAUSES),
        "group": rng.choice(templates.GROUPS), "recurring": rng.choice(templates.RECURRING).format(day=day),
        "lodging": rng.choice(templates.LODGINGS), "feature": rng.choice(templates.ROOM_FEATURES),
        "race": rng.choice(templates.RACES), "duration": rng.choice(templates.DURATIONS), "goods": goods, "best": best,
        "market": rng.choice(("the Saturday market", "the farmers' market", "the night market", "the market in the square")),
        "route": str(rng.choice((4, 7, 12, 19, 23, 38, 55, 73))), "nmin": rng.choice(("ten", "fifteen", "twenty", "thirty", "12", "8")),
        "mins": "minutes", "late_clock": rng.choice(templates.LATE_CLOCKS),
    }
    for key in ("why", "why_cancel", "why_cook", "walk_why", "storm", "rel", "late_cause"):  # the same reason opening a sentence
        values[f"{key}_cap"] = _capitalised(values[key])
    return values


def _article(phrase: str) -> str:
    """'a' or 'an' before a noun phrase, by its first letter."""
    return f"{'an' if phrase[0] in 'aeiou' else 'a'} {phrase}"


def _capitalised(text: str) -> str:
    return text[0].upper() + text[1:]


# How a story names its one protagonist after the first sentence: subject, possessive, object.
PRONOUNS = ({"subj": "she", "poss": "her", "obj": "her"}, {"subj": "he", "poss": "his", "obj": "him"})


def _with_pronoun(template: str) -> str:
    """The template with its protagonist {p} as a pronoun: "{p}'s" → {poss}, "of {p}" → {obj}, else {subj} (in
    these sentences the protagonist is otherwise always the subject)."""
    template = template.replace("{p}'s", "{poss}").replace("of {p}", "of {obj}")
    return template.replace("{p}", "{subj}")


def _answer_span(slot: str, spans: dict[str, tuple[int, int]]) -> tuple[int, int] | None:
    """The answer's span in its sentence: one slot, or "a..b" from slot a to slot b; a reason that opens the
    sentence is the capitalised slot of the same name."""
    first, _, last = slot.partition("..")
    found = [spans.get(name) or spans.get(f"{name}_cap") for name in (first, last or first)]
    return (found[0][0], found[1][1]) if all(found) else None


def _story(rng: random.Random, pools: Pools) -> list[tuple[str, dict, list, dict]]:
    """2–5 facts: either about different people, or (half the time) one protagonist named once and then by pronoun."""
    single = rng.random() < 0.5
    frames = [f for f in templates.QA_FRAMES if not single or any("{p}" in v for v in f[0])]
    chosen, person, pronoun = rng.sample(frames, rng.randint(2, 5)), pools.person(rng), rng.choice(PRONOUNS)
    facts = []
    for k, (variants, questions) in enumerate(chosen):
        values = _qa_values(rng, pools)
        template = rng.choice(variants)
        if single:
            values["p"] = person
            if k > 0 and "{p}" in template:
                template = _with_pronoun(template)
                values |= pronoun
        sentence, spans = fill(template, values)
        facts.append((_capitalised(sentence), spans, questions, values))
    return facts


def qa_example(rng: random.Random, pools: Pools = DEFAULT_POOLS, no_answer_share: float = 0.12) -> QAExample:
    """A short passage and a question about one of its facts, or (sometimes) a question the passage cannot answer,
    whose answer is 'no answer'. A question about a protagonist named by pronoun finds the fact by reading
    who "she" or "he" is."""
    facts = _story(rng, pools)
    context, offsets = "", []
    for sentence, *_ in facts:
        offsets.append(len(context) + (1 if context else 0))
        context = f"{context} {sentence}" if context else sentence
    if rng.random() < no_answer_share:  # a question of a fact the passage does not hold, about someone it names
        told = [questions for *_, questions, _ in facts]
        _, questions = rng.choice([f for f in templates.QA_FRAMES if f[1] not in told])
        absent = _qa_values(rng, pools) | {"p": facts[0][3]["p"]}
        question, slot = rng.choice(questions)
        if all(absent[key] not in context for key in SLOT.findall(question) if key != "p"):
            return QAExample(_capitalised(fill(question, absent)[0]), context, "", -1)
    index = rng.randrange(len(facts))
    sentence, spans, questions, values = facts[index]
    question, slot = rng.choice(questions)
    span, at = _answer_span(slot, spans), offsets[index]
    if span is None and slot == "p":  # the protagonist, named by pronoun here: the answer is the first mention
        span, at = _answer_span("p", facts[0][1]), offsets[0]
    if span is None:
        return qa_example(rng, pools, no_answer_share)
    start, end = span
    answer = context[at + start: at + end]
    return QAExample(_capitalised(fill(question, values)[0]), context, answer, at + start)


def qa_demo(seed: int = 0, size: int = DEMO_SIZE, pools: Pools = DEFAULT_POOLS) -> list[QAExample]:
    rng = random.Random(seed)
    return [qa_example(rng, pools) for _ in range(size)]


BUILDERS = {"sentence": sentence_demo, "pair": pair_demo, "token": token_demo, "qa": qa_demo}


@functools.lru_cache(maxsize=8)
def demo_data(task: str, seed: int = 0) -> TaskData:
    """The demo set of a task, split into training and validation (cached per process)."""
    if task not in BUILDERS:
        raise ValueError(f"no demo set for task {task!r}")
    source = f"demo: {SOURCES[task]}"
    if task == "pair":
        seen, unseen = templates.STORIES[:-VALIDATION_STORIES], templates.STORIES[-VALIDATION_STORIES:]
        validation = pair_demo(seed + 1, DEMO_SIZE // 10, unseen)
        return make_task_data(task, pair_demo(seed, DEMO_SIZE - len(validation), seen), validation, source, seed)
    return make_task_data(task, BUILDERS[task](seed), None, source, seed)
