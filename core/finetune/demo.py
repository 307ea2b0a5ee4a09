"""Demo data sets so every task of note section 4 can be tried offline in minutes on a CPU.

Nothing here is copied text: three sets are built at run time from the Python documentation topics that
every Python install carries (`pydoc_data.topics`, under the Python Software Foundation License), and the
QA set is generated from short templates written for this project (our own words, labelled as such).
"""

from __future__ import annotations

import builtins
import functools
import keyword
import random
import re

from core import corpus
from core.finetune.data import QAExample, TaskData, TextExample, TokenExample, make_task_data

# Documentation topics about statements vs. about built-in data types: the two classes of the sentence demo.
STATEMENT_TOPICS = ("assert assignment augassign break class continue del for function global if import "
                    "nonlocal pass raise return try while with yield async compound").split()
TYPE_TOPICS = ("dict lists numbers numeric-types string-methods strings typesseq typesseq-mutable typesmapping "
               "typesfunctions typesmethods typesmodules integers floating booleans imaginary sequence-types "
               "bltin-null-object bltin-ellipsis-object truth").split()
# Examples per demo set: enough to see the loss fall and the metric rise in a few CPU minutes.
DEMO_SIZE = 320
SOURCES = {
    "sentence": "Python documentation topics (pydoc_data, PSF License): is a sentence about a statement or a data type?",
    "pair": "Python documentation topics (pydoc_data, PSF License): is B the sentence after A, or from another topic?",
    "token": "Python documentation topics (pydoc_data, PSF License): tag Python keywords and built-in names",
    "qa": "Template passages and questions written for this project (own words, same licence as the project)",
}


def prose_sentences(text: str) -> list[str]:
    """Sentences of a documentation topic's prose paragraphs (code blocks and headings skipped)."""
    sentences = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines = paragraph.split("\n")
        if any(line.startswith(" ") for line in lines) or re.fullmatch(r"[*=\-]+", lines[-1].strip() or "x"):
            continue
        joined = " ".join(line.strip() for line in lines)
        sentences += [s for s in re.split(r'(?<=[.!?])\s+(?=[A-Z"])', joined) if 6 <= len(s.split()) <= 40]
    return sentences


@functools.cache
def topic_sentences(topic: str) -> tuple[str, ...]:
    return tuple(prose_sentences(corpus.python_doc_topics()[topic]))


def sentence_demo(seed: int = 0) -> list[TextExample]:
    """Sentences labelled by the kind of documentation topic they come from."""
    rng = random.Random(seed)
    per_class = DEMO_SIZE // 2
    examples = []
    for label, topic_names in (("statement", STATEMENT_TOPICS), ("data type", TYPE_TOPICS)):
        pool = [s for t in topic_names for s in topic_sentences(t)]
        examples += [TextExample(s, None, label) for s in rng.sample(pool, min(per_class, len(pool)))]
    rng.shuffle(examples)
    return examples


def pair_demo(seed: int = 0) -> list[TextExample]:
    """Adjacent sentence pairs vs. pairs whose second sentence comes from another topic: BERT's original NSP
    negatives, which the note calls too easy (topic gives them away) — easy enough to learn in minutes."""
    rng = random.Random(seed)
    topics = [t for t in STATEMENT_TOPICS + TYPE_TOPICS if len(topic_sentences(t)) >= 4]
    examples = []
    while len(examples) < DEMO_SIZE:
        topic, other = rng.sample(topics, 2)
        sentences = topic_sentences(topic)
        i = rng.randrange(len(sentences) - 1)
        if rng.random() < 0.5:
            examples.append(TextExample(sentences[i], sentences[i + 1], "adjacent"))
        else:
            examples.append(TextExample(sentences[i], rng.choice(topic_sentences(other)), "not adjacent"))
    return examples


def word_tag(word: str) -> str:
    """KEYWORD for Python keywords, BUILTIN for built-in names, O otherwise (quotes and punctuation ignored)."""
    bare = word.strip("\"'.,:;()[]")
    if keyword.iskeyword(bare):
        return "KEYWORD"
    return "BUILTIN" if bare in vars(builtins) and not bare.startswith("_") and len(bare) > 2 else "O"


def token_demo(seed: int = 0) -> list[TokenExample]:
    """Documentation sentences with each word tagged KEYWORD / BUILTIN / O."""
    rng = random.Random(seed)
    pool = [s for t in STATEMENT_TOPICS + TYPE_TOPICS for s in topic_sentences(t)]
    tagged = [s for s in pool if any(word_tag(w) != "O" for w in s.split())]
    examples = []
    for sentence in rng.sample(tagged, min(DEMO_SIZE, len(tagged))):
        words = tuple(sentence.split())
        examples.append(TokenExample(words, tuple(word_tag(w) for w in words)))
    return examples


# Written for this project: invented people, places and facts, combined at random into short passages.
NAMES = ("Ada", "Bruno", "Chen", "Dalia", "Emeka", "Farah", "Goran", "Hina", "Ivo", "Jun", "Kavya", "Lars")
CITIES = ("Lisbon", "Nairobi", "Osaka", "Quito", "Tallinn", "Hanoi", "Perth", "Lyon", "Cusco", "Oslo")
JOBS = ("baker", "pilot", "nurse", "carpenter", "teacher", "chemist", "gardener", "painter")
THINGS = ("a blue bicycle", "an old violin", "a small boat", "a red kite", "a wooden chair", "a clay teapot")
FACTS = (
    ("{name} moved to {city} in {year}.", "Where did {name} move to?", "{city}"),
    ("{name} moved to {city} in {year}.", "When did {name} move to {city}?", "{year}"),
    ("{name} works as a {job} near the harbour.", "What does {name} work as?", "{job}"),
    ("Last spring {name} built {thing} for a friend.", "What did {name} build?", "{thing}"),
)


def _fact(rng: random.Random, name: str) -> tuple[str, str, str]:
    template, question, answer = rng.choice(FACTS)
    values = {"name": name, "city": rng.choice(CITIES), "year": str(rng.randint(1950, 2020)),
              "job": rng.choice(JOBS), "thing": rng.choice(THINGS)}
    return template.format(**values), question.format(**values), answer.format(**values)


def qa_demo(seed: int = 0) -> list[QAExample]:
    """Passages of 2–8 invented facts about different people; the question asks about one of them."""
    rng = random.Random(seed)
    examples = []
    for _ in range(DEMO_SIZE):
        people = rng.sample(NAMES, rng.randint(2, 8))
        facts = [_fact(rng, name) for name in people]
        context = " ".join(sentence for sentence, _, _ in facts)
        sentence, question, answer = rng.choice(facts)
        start = context.index(sentence) + sentence.index(answer)
        examples.append(QAExample(question, context, answer, start))
    return examples


BUILDERS = {"sentence": sentence_demo, "pair": pair_demo, "token": token_demo, "qa": qa_demo}


@functools.lru_cache(maxsize=8)
def demo_data(task: str, seed: int = 0) -> TaskData:
    """The demo set of a task, split into training and validation (cached per process)."""
    if task not in BUILDERS:
        raise ValueError(f"no demo set for task {task!r}")
    return make_task_data(task, BUILDERS[task](seed), None, f"demo: {SOURCES[task]}", seed)
