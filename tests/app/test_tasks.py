"""The Four ways page through AppTest: each task opens with its own model (the ready-made one, or the sidebar's when
it has the head), classification, token labels and QA on tiny checkpoints."""

import pytest

from core import config
from core.render import markdown_literal
from tests.helpers import LONG_PASSAGE, run_page, save_as_trained_here
from ui.state import widget_key

TASKS = ("sentence", "token", "pair", "qa")


@pytest.fixture
def ready_tiny(tiny_dirs, monkeypatch):
    """Tiny stand-ins for the ready-made task models; the pair task keeps `bundled` and its NSP head."""
    ready = {**config.READY_MODELS, "sentence": str(tiny_dirs["sentence"]), "token": str(tiny_dirs["token"]),
             "qa": str(tiny_dirs["qa"])}
    monkeypatch.setattr(config, "READY_MODELS", ready)
    return ready


def picker(at, task):
    return at.selectbox(key=widget_key(f"tasks_model_{task}"))


def open_task(task, query):
    at = run_page("pages/tasks.py", query)
    at.radio(key=widget_key("tasks_task")).set_value(task).run()
    return at


def test_every_task_opens_with_a_prediction_from_its_ready_made_model(tiny_dirs, ready_tiny):
    """The sidebar's model has no head at all: each task falls back to its ready-made model and shows at once the
    prediction, the positions its head reads, saliency (classification) and the start/end logits (QA)."""
    for task in TASKS:
        at = open_task(task, {"model": str(tiny_dirs["encoder"]), "a": "the new york city", "b": "he paid cash"})
        assert not at.exception, (task, at.exception)
        assert not at.error, (task, [e.value for e in at.error])
        assert picker(at, task).value == ready_tiny[task]
        html = " ".join(h.proto.body for h in at.get("html"))
        assert "head-readout" in html, task
        if task in ("sentence", "pair"):
            assert "saliency" in html and len(at.get("plotly_chart")) == 2, task  # bars + [CLS] path
            assert any("head)" in m.value for m in at.markdown), task
        if task == "pair":
            assert any("NSP head" in m.value for m in at.markdown)  # bundled's next-sentence head
        if task == "token":
            assert "entities" in html
        if task == "qa":
            assert "qa-passage" in html and "end logits over the passage" in at.get("plotly_chart")[0].proto.spec


def test_the_sidebars_model_is_the_default_when_it_has_the_head(tiny_dirs, ready_tiny):
    at = open_task("sentence", {"model": str(tiny_dirs["sentence"]), "a": "a good movie"})
    assert not at.exception and picker(at, "sentence").value == str(tiny_dirs["sentence"])
    at = open_task("qa", {"model": str(tiny_dirs["sentence"])})
    assert picker(at, "qa").value == ready_tiny["qa"] and not at.error


def test_each_task_offers_only_models_with_its_head(tiny_dirs, ready_tiny, models_home):
    save_as_trained_here(tiny_dirs["sentence"], "my-sentiment", "sentence")
    save_as_trained_here(tiny_dirs["sentence"], "my-pairs", "pair")
    save_as_trained_here(tiny_dirs["qa"], "my-qa", "qa")
    at = open_task("sentence", {"model": "bundled"})
    assert picker(at, "sentence").options == [f"{ready_tiny['sentence']} · ready-made for this task",
                                              "bundled · the sidebar's model", "my-sentiment · trained here"]
    at.radio(key=widget_key("tasks_task")).set_value("pair").run()
    assert picker(at, "pair").options == ["bundled · ready-made for this task, the sidebar's model",
                                          "my-pairs · trained here"]  # never the sentence classifier
    assert picker(at, "pair").value == "bundled"
    at.radio(key=widget_key("tasks_task")).set_value("qa").run()
    assert [o.split(" · ")[0] for o in picker(at, "qa").options] == [ready_tiny["qa"], "bundled", "my-qa"]


def test_the_choice_outlives_a_page_switch(tiny_dirs, ready_tiny, models_home):
    save_as_trained_here(tiny_dirs["qa"], "my-qa", "qa")
    at = open_task("qa", {"model": str(tiny_dirs["encoder"])})
    picker(at, "qa").set_value("my-qa").run()
    assert not at.exception and not at.error
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/tasks.py").run()
    assert at.radio(key=widget_key("tasks_task")).value == "qa" and picker(at, "qa").value == "my-qa"


def test_a_ready_made_model_that_is_not_here_is_a_message_and_the_others_stay_offered(tiny_dirs, monkeypatch):
    monkeypatch.setattr(config, "READY_MODELS", {**config.READY_MODELS, "sentence": "bundled-sentiment-missing"})
    at = open_task("sentence", {"model": str(tiny_dirs["encoder"])})
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert markdown_literal("ready-made model 'bundled-sentiment-missing' is not installed") in errors
    assert "cannot be reached" not in errors  # never looked for on the hub
    assert any(markdown_literal(str(tiny_dirs["encoder"])) in c.value for c in at.caption)  # the other option named
    assert not at.get("plotly_chart")
    at.text_input(key="tasks_compare").set_value(str(tiny_dirs["sentence"])).run()  # the second model still runs
    assert not at.exception and len(at.get("plotly_chart")) == 2


def test_captions_say_which_sentences_each_task_reads(tiny_dirs, ready_tiny):
    at = open_task("pair", {"model": "bundled", "a": "the man went to the store", "b": "he paid cash"})
    captions = " ".join(c.value for c in at.caption)
    assert "sentences A and B" in captions and "[CLS] A [SEP] B [SEP]" in captions and "A only" not in captions
    for task in ("sentence", "token"):
        at.radio(key=widget_key("tasks_task")).set_value(task).run()
        assert any("**sentence A** from the sidebar only" in c.value for c in at.caption), task
    at.radio(key=widget_key("tasks_task")).set_value("pair")
    at.text_area(key=widget_key("text_b")).set_value("").run()
    assert any("sentence B is empty" in e.value for e in at.error)


def test_tasks_page_explains_a_missing_head_and_compares_two_models(tiny_dirs, ready_tiny):
    at = open_task("qa", {"model": str(tiny_dirs["encoder"])})
    picker(at, "qa").set_value(str(tiny_dirs["encoder"])).run()  # the sidebar's model, which has no QA head
    assert not at.exception and any(markdown_literal("train one on the fine-tune page") in e.value for e in at.error)
    at.text_input(key="tasks_compare").set_value(str(tiny_dirs["qa"])).run()
    assert not at.exception
    assert any(markdown_literal(str(tiny_dirs["qa"])) in s.value for s in at.subheader)
    assert len(at.get("plotly_chart")) == 1  # only the model with a QA head draws logits


def test_tasks_page_long_passage_shows_its_windows(tiny_dirs, ready_tiny):
    at = open_task("qa", {"model": str(tiny_dirs["qa"])})
    at.text_area(key="tasks_passage").set_value(LONG_PASSAGE).run()
    assert not at.exception
    assert any("overlapping windows" in i.value for i in at.info)
    window = at.slider(key="tasks_window_0")
    window.set_value(1).run()
    assert not at.exception and "window 1 of" in at.get("plotly_chart")[0].proto.spec


def test_gradient_x_input_shows_at_once_and_integrated_gradients_only_when_asked(tiny_dirs, ready_tiny):
    from core.tasks import classify

    runs = classify.saliency.cache.misses
    at = run_page("pages/tasks.py", {"model": str(tiny_dirs["sentence"]), "a": "a <b>good</b> movie"})
    assert not at.exception and any("saliency" in h.proto.body for h in at.get("html"))
    assert classify.saliency.cache.misses == runs + 1  # gradient × input: one backward pass, on first view
    at.radio(key="tasks_saliency_0").set_value("integrated gradients").run()
    assert not any("saliency" in h.proto.body for h in at.get("html")) and classify.saliency.cache.misses == runs + 1
    at.button(key="tasks_saliency_run_0").click().run()
    assert not at.exception, at.exception
    assert any("saliency" in h.proto.body for h in at.get("html")) and classify.saliency.cache.misses == runs + 2
    at.run()  # a rerun keeps the asked-for saliency on screen, from the cache
    assert any("saliency" in h.proto.body for h in at.get("html")) and classify.saliency.cache.misses == runs + 2


def test_the_shipped_ready_made_models_open_every_task_with_an_everyday_answer():
    """Issue 17, offline on the default `bundled`: no task is a "no trained head" message; each answers as a
    learner expects (the ready-made sentiment, NER and QA models; bundled's NSP head for the pair)."""
    expected = {"sentence": ("What a wonderful, relaxing day at the beach.", "**positive**"),
                "token": ("Maria Lopez flew from Madrid to Chicago to meet her team at Google.", ">PER</sup>"),
                "pair": (config.DEFAULT_TEXT_A, "IsNext"),
                "qa": (config.DEFAULT_TEXT_A, "milk")}
    for task, (text, shown) in expected.items():
        at = open_task(task, {"model": "bundled", "a": text, "b": config.DEFAULT_TEXT_B})
        assert not at.exception and not at.error, (task, [e.value for e in at.error])
        assert picker(at, task).value == config.READY_MODELS[task]
        page = " ".join([*(m.value for m in at.markdown), *(h.proto.body for h in at.get("html"))])
        assert shown in page, task
        if task == "token":
            assert ">LOC</sup>" in page  # the person and the two cities
