"""The pre-training page through AppTest."""

from core.model import checkpoints
from core.pretrain import runs
from core.training import jobs


def test_page_runs_a_tiny_pretraining(tmp_path, monkeypatch):
    from tests.helpers import run_page

    monkeypatch.setattr(runs.checkpoints.config, "MODELS_HOME", tmp_path)
    at = run_page("pages/pretrain.py", {"model": "bundled"})
    at.slider(key="pretrain_steps").set_value(10)
    at.text_input(key="pretrain_alias").set_value("page-run")
    at.button(key="pretrain_start").click().run()
    job = jobs.get_job(at.session_state["pretrain_jobs"][-1])
    assert job.wait(120).status == "done"
    assert not at.exception and checkpoints.is_complete(tmp_path / "page-run")


def test_save_as_follows_the_negatives_and_never_names_an_existing_run(models_home, tiny_dirs):
    import shutil

    from tests.helpers import run_page

    shutil.copytree(tiny_dirs["pretraining"], models_home / "pretrain-random-document-60")
    (models_home / "pretrain-random-document-60" / checkpoints.COMPLETE_MARKER).write_text('{"task": "pretraining"}')
    at = run_page("pages/pretrain.py", {"model": "bundled"})
    assert at.text_input(key="pretrain_alias").value == "pretrain-random-document-60-2"
    at.radio(key="pretrain_negatives").set_value("same_document").run()
    assert at.text_input(key="pretrain_alias").value == "pretrain-same-document-60"
    at.text_input(key="pretrain_alias").set_value("my-run").run()
    at.radio(key="pretrain_negatives").set_value("swapped").run()
    assert at.text_input(key="pretrain_alias").value == "my-run"  # a typed name is kept
    assert "bundled" in at.multiselect(key="pretrain_compare").options


def test_lesson_preset_runs_three_kinds_and_shows_the_table(monkeypatch):
    from dataclasses import replace

    from core.pretrain import lesson
    from tests.helpers import run_page

    monkeypatch.setattr(lesson, "LESSON_CONFIG", replace(lesson.LESSON_CONFIG, steps=1, batch_size=2, max_seq_len=32))
    monkeypatch.setattr(lesson, "EVAL_PAIRS", 16)
    at = run_page("pages/pretrain.py", {"model": "bundled"})
    at.button(key="pretrain_lesson_start").click().run()
    job = jobs.get_job(at.session_state["pretrain_lesson_job"])
    assert job.wait(300).status == "done"
    at.run()
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert "Trained with random-document negatives" in shown and "Trained with swapped negatives" in shown
    table = at.dataframe[0].value
    assert list(table["trained with"]) == ["random document", "same document", "swapped"]
