"""The fine-tune page through AppTest: a demo run from the page, saved runs, cost warnings."""

import pytest

from core.model import loading as models
from core.render import markdown_literal
from core.training import jobs
from tests.helpers import run_page

pytestmark = pytest.mark.usefixtures("models_home")  # every test saves its models in its own folder


def test_page_runs_a_demo_job_and_shows_the_result(tiny_dirs, models_home):
    at = run_page("pages/finetune.py", {"model": "bundled"})
    assert not at.exception and any("Training device" in c.value for c in at.caption)
    at.text_input(key="finetune_base").set_value(str(tiny_dirs["encoder"]))
    at.number_input(key="finetune_epochs").set_value(1)
    at.button(key="finetune_start").click().run()
    job = jobs.get_job(at.session_state["finetune_job_id"])
    assert job.wait(120).status == "done"
    at.run()
    assert not at.exception
    assert any(f"Saved **{markdown_literal('ft-sentence')}**" in s.value for s in at.success)
    assert "ft-sentence" in models.trained_models()
    table = at.table[0].value
    assert list(table["model"]) == [str(tiny_dirs["encoder"]), "ft-sentence"]
    assert "no trained head" in table["prediction"][0]


def test_page_waits_for_an_upload_before_it_can_start():
    at = run_page("pages/finetune.py", {"model": "bundled"})
    at.radio(key="finetune_source").set_value("Upload a file").run()
    assert not at.exception and at.button(key="finetune_start").disabled


def test_page_shows_a_bad_model_name_as_a_message():
    at = run_page("pages/finetune.py", {"model": "bundled"})
    at.text_input(key="finetune_alias").set_value("bundled").run()
    assert not at.exception and any("cannot be a model name" in e.value for e in at.error)
    assert at.button(key="finetune_start").disabled
