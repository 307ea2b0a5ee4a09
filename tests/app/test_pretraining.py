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
