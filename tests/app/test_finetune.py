"""The fine-tune page through AppTest: a demo run from the page, saved runs, cost warnings."""

import pytest

from core.model import loading as models
from core.render import markdown_literal
from core.training import jobs
from tests.helpers import run_page, shown

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
    assert any(c.value.startswith("Both models classify sentence A.") for c in at.caption)
    # the name the run just saved is the next step, not an error (seen in the learner walk of issue 20)
    assert not at.error and any("is saved (below)" in i.value for i in at.info)


def test_page_waits_for_an_upload_before_it_can_start():
    at = run_page("pages/finetune.py", {"model": "bundled"})
    at.radio(key="finetune_source").set_value("Upload a file").run()
    assert not at.exception and at.button(key="finetune_start").disabled


def test_page_shows_a_bad_model_name_as_a_message():
    at = run_page("pages/finetune.py", {"model": "bundled"})
    at.text_input(key="finetune_alias").set_value("bundled").run()
    assert not at.exception and any("cannot be a model name" in shown(e.value) for e in at.error)
    assert at.button(key="finetune_start").disabled


def suggested(task: str) -> tuple[int, int]:
    """(max length, QA stride) the page suggests for a task's demo set on `bundled`."""
    import torch

    from core.finetune import runner as finetune
    from core.finetune.demo import demo_data

    tokenizer = models.load_model("bundled", torch.device("cpu")).tokenizer
    length = finetune.suggested_sizes(tokenizer, demo_data(task), models.pick_device())[1]
    return length, length // 4


def lengths(at) -> tuple[int, int]:
    return at.number_input(key="finetune_len").value, at.number_input(key="finetune_stride").value


def test_switching_the_task_switches_the_suggested_max_length_and_stride():
    assert suggested("qa") != suggested("sentence"), "the demo sets no longer tell the two tasks apart"
    at = run_page("pages/finetune.py", {"model": "bundled"})
    assert lengths(at) == suggested("sentence")
    at.selectbox(key="finetune_task").set_value("qa").run()
    assert not at.exception and lengths(at) == suggested("qa")
    assert any(f"max length {suggested('qa')[0]}" in c.value for c in at.caption)  # the hint says what the field holds
    assert not at.error and not at.button(key="finetune_start").disabled


def test_a_value_typed_for_a_task_is_kept_for_that_task_only():
    at = run_page("pages/finetune.py", {"model": "bundled"})
    at.number_input(key="finetune_len").set_value(48).run()
    at.selectbox(key="finetune_task").set_value("qa").run()
    assert lengths(at) == suggested("qa")
    at.selectbox(key="finetune_task").set_value("sentence").run()
    assert lengths(at)[0] == 48 and any("Your own values" in c.value for c in at.caption)
    at.button(key="finetune_suggested").click().run()
    assert lengths(at) == suggested("sentence")


def test_a_blocking_message_names_the_field_to_change():
    at = run_page("pages/finetune.py", {"model": "bundled"})
    at.selectbox(key="finetune_task").set_value("qa").run()
    half = suggested("qa")[0] // 2
    at.number_input(key="finetune_stride").set_value(half).run()
    assert not at.exception and at.button(key="finetune_start").disabled
    errors = [shown(e.value) for e in at.error]
    assert any(e.startswith("QA stride (tokens) must be below half of Max length (tokens)") and f"lower QA stride "
               f"(tokens) to {half - 1} or less, or raise Max length (tokens) to {2 * half + 2} or more" in e
               for e in errors), errors
    at.number_input(key="finetune_len").set_value(2 * half + 2).run()  # either change the message names is enough
    assert not at.error and not at.button(key="finetune_start").disabled
    at.number_input(key="finetune_len").set_value(2 * half).run()
    at.number_input(key="finetune_stride").set_value(half - 1).run()
    assert not at.error and not at.button(key="finetune_start").disabled
    at.text_input(key="finetune_base").set_value("/no/such/folder").run()
    assert any(shown(e.value).startswith("Base model: ") for e in at.error)


def test_each_task_says_what_it_reads_the_pair_task_a_and_b():
    at = run_page("pages/finetune.py", {"model": "bundled"})
    at.selectbox(key="finetune_task").set_value("pair").run()
    assert any("`[CLS] A [SEP] B [SEP]` — sentence A and sentence B" in c.value for c in at.caption)
