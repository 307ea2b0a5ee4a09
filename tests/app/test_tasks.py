"""The Four ways page through AppTest: classification, token labels and QA on tiny checkpoints."""

from tests.helpers import LONG_PASSAGE


def test_tasks_page_renders_every_task_on_tiny_checkpoints(tiny_dirs):
    from tests.helpers import run_page

    for task, kind in (("sentence", "sentence"), ("token", "token"), ("pair", "pretraining"), ("qa", "qa")):
        at = run_page("pages/tasks.py", {"model": str(tiny_dirs[kind]), "a": "the new york city", "b": "he paid cash"})
        at.radio(key="tasks_task").set_value(task).run()
        assert not at.exception, (task, at.exception)
        assert not at.error, (task, [e.value for e in at.error])
        assert at.get("plotly_chart") or task == "token"
        if task == "token":
            assert any("entities" in h.proto.body for h in at.get("html"))


def test_tasks_page_explains_a_missing_head_and_compares_two_models(tiny_dirs):
    from tests.helpers import run_page

    at = run_page("pages/tasks.py", {"model": str(tiny_dirs["encoder"])})
    at.radio(key="tasks_task").set_value("qa").run()
    assert not at.exception and any("fine-tune" in e.value for e in at.error)
    at.text_input(key="tasks_compare").set_value(str(tiny_dirs["qa"])).run()
    assert not at.exception
    from core.render import markdown_literal

    assert any(markdown_literal(str(tiny_dirs["qa"])) in s.value for s in at.subheader)
    assert len(at.get("plotly_chart")) == 1  # only the model with a QA head draws logits


def test_tasks_page_long_passage_shows_its_windows(tiny_dirs):
    from tests.helpers import run_page

    at = run_page("pages/tasks.py", {"model": str(tiny_dirs["qa"])})
    at.radio(key="tasks_task").set_value("qa").run()
    at.text_area(key="tasks_passage").set_value(LONG_PASSAGE).run()
    assert not at.exception
    assert any("overlapping windows" in i.value for i in at.info)
    window = at.slider(key="tasks_window_0")
    window.set_value(1).run()
    assert not at.exception and "window 1 of" in at.get("plotly_chart")[0].proto.spec


def test_integrated_gradients_run_only_when_asked(tiny_dirs):
    from core.tasks import classify
    from tests.helpers import run_page

    at = run_page("pages/tasks.py", {"model": str(tiny_dirs["sentence"]), "a": "a <b>good</b> movie"})
    runs = classify.saliency.cache.misses
    assert not at.exception and not any("saliency" in h.proto.body for h in at.get("html"))
    assert classify.saliency.cache.misses == runs  # the first view draws the prediction, not the saliency
    at.button(key="tasks_saliency_run_0").click().run()
    assert not at.exception, at.exception
    assert any("saliency" in h.proto.body for h in at.get("html"))
    at.run()  # a rerun keeps the asked-for saliency on screen, from the cache
    assert any("saliency" in h.proto.body for h in at.get("html")) and classify.saliency.cache.misses == runs + 1
    at.radio(key="tasks_saliency_0").set_value("gradient × input").run()  # one backward pass: shown at once
    assert any("saliency" in h.proto.body for h in at.get("html")) and classify.saliency.cache.misses == runs + 2
