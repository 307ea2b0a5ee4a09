"""The lessons: every step's text is complete in both languages, every probe runs, and on the shipped `bundled`
(and its task models) each step's model answer is the one its explanation was written for."""

from __future__ import annotations

import string

import pytest

from core.lessons import course, probes
from core.lib.i18n import LANGUAGES
from core.model import loading as models

STEPS = list(course.STEPS.values())


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_steps_are_numbered_in_course_order_and_the_expected_answer_is_a_choice():
    assert [s.key for s in STEPS] == [f"{lesson.number}.{i + 1}" for lesson in course.LESSONS
                                      for i in range(len(lesson.steps))]
    for step in STEPS:
        assert step.expect in step.choices, step.key
        assert len(set(step.choices)) == len(step.choices) >= 2


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.key)
def test_both_languages_say_the_same_numbers(step):
    for text in (step.question, step.explain):
        assert text.en.strip() and text.zh.strip()
        assert _placeholders(text.en) == _placeholders(text.zh)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in step.explain.zh)  # really Chinese
    for lesson in course.LESSONS:
        assert lesson.title.zh and lesson.intro.zh


def test_every_choice_word_has_a_chinese_label_unless_it_is_model_output():
    model_words = {"went", "ran", "drove", "walked", "sun", "moon", "light", "star", "positive", "negative",
                   "B-PER", "B-LOC", "B-ORG", "O", "a gallon of milk", "the store", "cash", "the counter"}
    for step in STEPS:
        for choice in step.choices:
            if not any(ch.isdigit() for ch in choice) and choice not in model_words and not choice.startswith("["):
                assert choice in course.CHOICES_ZH, choice


def test_neighbours_walk_the_whole_course():
    first, last = STEPS[0], STEPS[-1]
    assert course.neighbours(first)[0] is None and course.neighbours(last)[1] is None
    assert course.neighbours(STEPS[3]) == (STEPS[2], STEPS[4])


@pytest.mark.parametrize("step", [s for s in STEPS if s.model is None], ids=lambda s: s.key)
def test_probe_on_a_tiny_model_reads_and_explains(step, tiny_dirs):
    loaded = models.load_model(str(tiny_dirs["pretraining"]))
    reading = step.probe(loaded, step.question_input)
    assert isinstance(reading.answer, str) and reading.answer
    for language in LANGUAGES:
        text = course.explanation(step, reading, language)
        assert "{" not in text
        assert all(set(row) == set(course.table_rows(reading, language)[0]) for row in course.table_rows(reading, language))


def test_explanation_escapes_model_text():
    step = course.STEPS["4.1"]
    reading = probes.Reading("**x**", {"top": "**x**", "p": 0.5, "rest": "[a](http://e.x)"})
    text = course.explanation(step, reading, "en", literal=lambda s: f"<{s}>")
    assert "<**x**>" in text and "<[a](http://e.x)>" in text


_LOADED: dict[str, models.LoadedModel] = {}


def _shipped(name: str) -> models.LoadedModel:
    if name not in _LOADED:
        _LOADED[name] = models.load_model(name)
    return _LOADED[name]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.key)
def test_on_the_shipped_models_every_lesson_claim_holds(step):
    """The answer each explanation was written for is what the shipped model gives (a rebuild that changes it
    must rewrite the lesson)."""
    reading = step.probe(_shipped(step.model or "bundled"), step.question_input)
    assert reading.answer == step.expect, (step.key, reading)
    for language in LANGUAGES:
        course.explanation(step, reading, language)


def test_on_bundled_the_numbers_the_lessons_quote_are_clear_cut():
    bundled = _shipped("bundled")
    read = {key: course.STEPS[key].probe(bundled, course.STEPS[key].question_input) for key in
            ("2.1", "2.2", "3.2", "4.3", "5.1", "5.2", "5.3")}
    assert read["2.1"].facts["diff"] < 1e-4
    assert read["2.2"].facts["near"] > read["2.2"].facts["far"] + 0.3
    assert read["3.2"].facts["share"] > 0.5  # "[CLS]" wins by a margin, not a hair
    assert 0.65 < read["4.3"].facts["share_mask"] < 0.95
    assert read["5.1"].facts["p"] > 0.7 and read["5.2"].facts["p"] < 0.3 and read["5.3"].facts["p"] > 0.7
