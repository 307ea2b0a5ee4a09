"""Issue 18's regression cases, by name: safe to run where others can reach it.

Each test reproduces an attack or race the security probe found (a delete that removed another model, code run
from a crafted trainer state, server files read through a dataset path, hub names hijacked, unescaped label
names, NaN runs saved as complete, CLI tracebacks, CSV formula cells, missing encoder weights loaded as random)
and checks it now fails safely. Page cases run through AppTest; the core and CLI cases call them directly.
"""

import dataclasses
import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from core import config
from core.cli.main import build_parser, main
from core.corpus import segment_documents
from core.finetune import runner as finetune
from core.finetune import runs as finetune_runs
from core.finetune.demo import demo_data
from core.model import checkpoints
from core.model import loading as models
from core.pretrain import runner as pretraining
from core.pretrain import runs as pretraining_runs
from core.render import markdown_literal
from core.training import jobs
from tests.helpers import APP, run_page
from ui.state import widget_key

# --- issue 18: safe to run where others can reach it -------------------------------------------------------------


def save_fake_finetune(tiny_dirs, models_home, alias: str, saved_at: str) -> None:
    """A saved fine-tuned model as the runner leaves it (a tiny classifier and its completion marker)."""
    shutil.copytree(tiny_dirs["sentence"], models_home / alias)
    marker = {"kind": "finetune", "task": "sentence", "base_model": "tiny", "saved_at": saved_at}
    (models_home / alias / checkpoints.COMPLETE_MARKER).write_text(json.dumps(marker))


@pytest.fixture
def three_saved(tiny_dirs, models_home):
    for day, alias in enumerate(["ft-old", "ft-mid", "ft-new"], start=1):
        save_fake_finetune(tiny_dirs, models_home, alias, f"2026-01-0{day}T00:00:00")
    return models_home


def test_delete_of_a_model_another_session_deleted_deletes_nothing_else(three_saved):
    finetune_runs.delete_run("ft-old")
    with pytest.raises(ValueError, match="'ft-old' is no longer saved.*nothing was deleted"):
        finetune_runs.delete_run("ft-old")
    assert models.trained_models() == ["ft-mid", "ft-new"]


def test_delete_racing_another_delete_for_the_same_model_loses_cleanly(three_saved, monkeypatch):
    """The other session's delete lands between our checks and our rename: ours is refused, nothing else goes."""
    checked = checkpoints.is_complete

    def other_session_deletes_first(folder):
        complete = checked(folder)
        shutil.rmtree(folder)
        return complete

    with monkeypatch.context() as patch, pytest.raises(ValueError, match="no longer saved"):
        patch.setattr(checkpoints, "is_complete", other_session_deletes_first)
        finetune_runs.delete_run("ft-mid")
    assert models.trained_models() == ["ft-new", "ft-old"]


def test_page_delete_names_and_confirms_and_never_falls_back_to_another_model(three_saved):
    at = run_page("pages/finetune.py", {"model": "bundled"})
    at.selectbox(key="finetune_delete_pick").set_value("ft-old").run()  # last in the list, newest first
    finetune_runs.delete_run("ft-old")  # another session deletes it while this one looks at the page
    at.button(key="finetune_delete").click().run()
    assert not at.exception
    assert any(markdown_literal("ft-old") in w.value for w in at.warning)  # the confirmation names it
    assert models.trained_models() == ["ft-mid", "ft-new"]  # nothing deleted without the confirmation
    at.button(key="finetune_delete_yes").click().run()
    assert any("no longer saved" in e.value for e in at.error)
    assert models.trained_models() == ["ft-mid", "ft-new"]
    at.selectbox(key="finetune_delete_pick").set_value("ft-mid").run()
    at.button(key="finetune_delete").click().run()
    at.button(key="finetune_delete_yes").click().run()
    assert any(markdown_literal("ft-mid") in s.value for s in at.success)
    assert models.trained_models() == ["ft-new"]


class _Payload:
    """Unpickling it runs code (here: writes a file), as a crafted trainer_state.pt would."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (Path(self.marker), "ran"))


def test_resume_loads_the_real_trainer_state_weights_only(tiny_dirs, tmp_path):
    documents = segment_documents(["The man went to the store. He bought milk. The dog sat on the mat."] * 3, 4)
    cfg = pretraining.PretrainConfig(steps=4, batch_size=4, max_seq_len=32, warmup_steps=1, checkpoint_every=2,
                                     stop_after=2)
    pretraining.pretrain(str(tiny_dirs["pretraining"]), documents, tmp_path / "run", cfg)
    state = pretraining._resume_state(tmp_path / "run")  # optimizer state dict, schedule, history of dicts
    assert state["step"] == 2 and set(state["history"][0]) >= {"step", "loss", "lr"} and state["optimizer"]["state"]
    resumed = pretraining.pretrain(str(tiny_dirs["pretraining"]), documents, tmp_path / "run",
                                   dataclasses.replace(cfg, stop_after=None))
    assert resumed.step == 4 and len(resumed.history) == 4


def test_resume_never_runs_code_from_a_crafted_trainer_state(tiny_dirs, models_home, tmp_path, capsys):
    run = models_home / "crafted"
    shutil.copytree(tiny_dirs["pretraining"], run)
    (run / checkpoints.COMPLETE_MARKER).write_text(json.dumps({"task": "pretraining", "step": 1}))
    marker = tmp_path / "payload-ran"
    torch.save({"optimizer": {}, "schedule": {}, "step": 1, "history": [_Payload(str(marker))]},
               run / pretraining.TRAINER_STATE)
    with pytest.raises(ValueError, match="not loaded"):
        pretraining._resume_state(run)
    assert not marker.exists()
    code = main(["pretrain", "--model", str(tiny_dirs["pretraining"]), "--out", "crafted", "--resume", "--steps", "2",
                 "--json"])
    assert code == 2 and "not loaded" in json.loads(capsys.readouterr().out.strip().splitlines()[-1])["error"]
    assert not marker.exists()


@pytest.fixture
def outside(tmp_path, tiny_dirs, models_home, monkeypatch):
    """A server folder no browser user may read (no data roots allowed): a model, a secret text file, an empty folder."""
    monkeypatch.setattr(config, "DATA_ROOTS", ())
    folder = tmp_path / "outside"
    shutil.copytree(tiny_dirs["pretraining"], folder / "model")
    (folder / "texts").mkdir()
    (folder / "texts" / "secret.txt").write_text("SECRET-LINE-1\nSECRET-LINE-2\n" * 5)
    (folder / "empty").mkdir()
    return folder


def test_browser_paths_outside_the_allowed_folders_get_one_message_whether_they_exist_or_not(outside, models_home):
    answers = {}
    for name in ("model", "empty", "no-such-folder", "texts/secret.txt"):
        with pytest.raises(ValueError) as refused:
            models.resolve(str(outside / name), confined=True)
        answers[name] = str(refused.value).replace(str(outside / name), "PATH")
    assert len(set(answers.values())) == 1 and "not inside a folder this server lets its users read" in answers["model"]
    (models_home / "link").parent.mkdir(parents=True, exist_ok=True)
    (models_home / "link").symlink_to(outside / "model")  # a link out of the models folder is followed first
    with pytest.raises(ValueError, match="not inside"):
        models.resolve(str(models_home / "link"), confined=True)


def test_browser_paths_inside_the_allowed_folders_and_cli_paths_anywhere_still_load(outside, models_home, monkeypatch):
    shutil.copytree(outside / "model", models_home / "mine")
    assert models.resolve(str(models_home / "mine"), confined=True).kind == "folder"
    assert models.resolve("mine", confined=True).kind == "alias"
    assert models.resolve("bert-base-uncased", confined=True).kind == "hub"
    assert models.resolve(str(outside / "model")).kind == "folder"  # the CLI reads any path
    monkeypatch.setattr(config, "DATA_ROOTS", (outside,))
    assert models.resolve(str(outside / "model"), confined=True).kind == "folder"


def test_page_model_field_does_not_tell_which_server_paths_exist(outside):
    errors = []
    for name in ("model", "no-such-folder"):
        at = run_page("pages/home.py", {"model": str(outside / name)})
        assert not at.exception
        errors.append([e.value.replace(markdown_literal(str(outside / name)), "PATH") for e in at.error])
    assert errors[0] == errors[1] and any("not inside" in e for e in errors[0])


def test_page_dataset_path_cannot_read_server_text_files(outside):
    at = run_page("pages/finetune.py", {"model": "bundled"})
    at.radio(key="finetune_source").set_value("Hugging Face dataset").run()
    at.text_input(key="finetune_hub_columns").set_value("text=text, label=text")
    for name in (outside / "texts", outside / "texts" / "secret.txt", outside / "no-such-folder"):
        at.text_input(key="finetune_hub_id").set_value(str(name)).run()
        assert not at.exception
        assert any("not inside" in e.value for e in at.error)
        shown = " ".join(str(e.value) for e in [*at.caption, *at.markdown, *at.error, *at.warning])
        assert "SECRET-LINE" not in shown
        assert at.button(key="finetune_start").disabled


def test_page_fine_tune_base_model_outside_the_allowed_folders_is_refused(outside):
    at = run_page("pages/finetune.py", {"model": "bundled"})
    at.text_input(key="finetune_base").set_value(str(outside / "model")).run()
    assert not at.exception and any("not inside" in e.value for e in at.error)
    assert at.button(key="finetune_start").disabled


def test_server_listens_on_localhost_only_by_default():
    import tomllib

    settings = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text())
    assert settings["server"]["address"] == "localhost"


LONG_NAME = "x" * 300


def test_a_crafted_link_with_a_300_character_model_is_a_clean_message():
    at = run_page("pages/home.py", {"model": LONG_NAME})
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "too long" in errors and "Errno" not in errors and str(config.MODELS_HOME) not in errors


@pytest.mark.parametrize("name", [LONG_NAME, "/tmp/" + LONG_NAME, "org/" + LONG_NAME])
def test_long_model_names_are_refused_before_any_file_is_read(name):
    with pytest.raises(models.ModelLoadError, match="too long"):
        models.resolve(name)


def test_long_names_in_the_fine_tune_and_compare_fields_are_clean_messages():
    at = run_page("pages/finetune.py", {"model": "bundled"})
    at.text_input(key="finetune_base").set_value(LONG_NAME).run()
    assert not at.exception and any("too long" in e.value for e in at.error)
    at = run_page("pages/tasks.py", {"model": "bundled"})
    at.text_input(key="tasks_compare").set_value(LONG_NAME).run()
    assert not at.exception and any("too long" in e.value for e in at.error)


@pytest.mark.parametrize("alias, message", [("n" * 240, "too long"), ("bert-base-uncased", "hub model"),
                                            ("Roberta-Large", "hub model")])
def test_unusable_model_names_are_refused_before_training_starts(alias, message, tiny_dirs, models_home):
    steps = []
    cfg = finetune.FineTuneConfig(task="sentence", base_model=str(tiny_dirs["encoder"]), alias=alias, epochs=1,
                                  max_length=32, device="cpu")
    with pytest.raises(ValueError, match=message):
        finetune.train(cfg, demo_data("sentence"), steps.append)
    request = pretraining_runs.RunRequest(tuple(pretraining_runs.example_documents(4)), str(tiny_dirs["pretraining"]),
                                          alias, pretraining.PretrainConfig(steps=2))
    with pytest.raises(ValueError, match=message):
        pretraining_runs.check_request(request)
    with pytest.raises(ValueError, match=message):
        pretraining_runs.run(request, steps.append)
    assert steps == [] and not (models_home.exists() and any(models_home.iterdir()))


def test_cli_refuses_a_hub_shadowing_or_too_long_name_up_front(tiny_dirs, models_home, capsys):
    for alias in ("bert-base-uncased", "n" * 240):
        assert main(["finetune", "--model", str(tiny_dirs["encoder"]), "--out", alias, "--epochs", "1",
                     "--device", "cpu", "--json"]) == 2
        assert "error" in json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert main(["pretrain", "--model", str(tiny_dirs["pretraining"]), "--out", alias, "--steps", "2",
                     "--json"]) == 2
        assert "error" in json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "bert-base-uncased" not in models.trained_models()


def test_page_refuses_a_hub_shadowing_model_name():
    at = run_page("pages/finetune.py", {"model": "bundled"})
    at.text_input(key="finetune_alias").set_value("bert-base-uncased").run()
    assert not at.exception and any("hub model" in e.value for e in at.error)
    assert at.button(key="finetune_start").disabled


EVIL_LABELS = ('<a href="http://evil.example">win</a>', "![x](http://evil.example/i.png)",
               "[Session expired, log in](http://evil.example)")


@pytest.fixture
def evil_classifier(tmp_path):
    from transformers import BertForSequenceClassification

    from tests.helpers import save_tiny

    return save_tiny(tmp_path / "evil", BertForSequenceClassification, num_labels=3,
                     id2label=dict(enumerate(EVIL_LABELS)), label2id={n: i for i, n in enumerate(EVIL_LABELS)})


def test_label_names_are_escaped_in_the_probability_charts(evil_classifier):
    from core.tasks import classify as tasks
    from core.tasks import figures as task_figures

    result = tasks.classify(models.load_model(str(evil_classifier), torch.device("cpu")), "the cat sat", None)
    drawn = [*task_figures.probability_bars(result).data[0].y,
             *(trace.name for trace in task_figures.cls_path_figure(result).data)]
    assert not any("<a " in text for text in drawn) and any("&lt;a href" in text for text in drawn)


def test_label_and_model_names_are_literal_markdown_on_the_pages(evil_classifier):
    at = run_page("pages/tasks.py", {"model": "bundled", "a": "the cat sat"})
    at.radio(key=widget_key("tasks_task")).set_value("sentence")
    at.text_input(key="tasks_compare").set_value(str(evil_classifier)).run()
    assert not at.exception
    drawn = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.subheader, *at.error])
    assert any(markdown_literal(label) in drawn for label in EVIL_LABELS)
    for label in EVIL_LABELS:
        assert label not in drawn
    charts = " ".join(c.proto.spec for c in at.get("plotly_chart"))
    assert "&lt;a href" in charts and 'href=\\"http://evil' not in charts and "href=\"http://evil" not in charts


@pytest.mark.parametrize("rate", ["nan", "inf", "-inf"])
def test_nan_and_infinite_learning_rates_are_refused_before_training(rate, tiny_dirs, models_home, capsys):
    code = main(["pretrain", "--model", str(tiny_dirs["pretraining"]), "--out", "nan-run", f"--lr={rate}", "--steps",
                 "2", "--json"])
    assert code == 2 and "learning rates" in json.loads(capsys.readouterr().out.strip().splitlines()[-1])["error"]
    assert "nan-run" not in models.trained_models()
    with pytest.raises(ValueError, match="learning rate"):
        finetune.FineTuneConfig(learning_rate=float(rate)).validate()


def test_a_diverging_pre_training_run_is_never_saved_as_complete(tiny_dirs, tmp_path, monkeypatch):
    nan_step = pretraining.StepMetrics(float("nan"), float("nan"), float("nan"), 0.0, 0.0)
    monkeypatch.setattr(pretraining, "step_losses", lambda *args: (torch.tensor(float("nan"), requires_grad=True), nan_step))
    documents = segment_documents(["The man went to the store. He bought milk. The dog sat on the mat."] * 3, 4)
    cfg = pretraining.PretrainConfig(steps=2, batch_size=4, max_seq_len=32, warmup_steps=1, checkpoint_every=1)
    with pytest.raises(ValueError, match="diverged"):
        pretraining.pretrain(str(tiny_dirs["pretraining"]), documents, tmp_path / "run", cfg)
    assert not checkpoints.is_complete(tmp_path / "run")


def test_a_diverging_fine_tune_run_is_never_saved(tiny_dirs, monkeypatch):
    """One loop for both runners: a fine-tune whose loss turns NaN stops before its first save (before the shared
    loop, it trained on and saved a NaN model)."""
    from core.finetune import runner as finetune
    from core.finetune.data import TextExample, make_task_data

    monkeypatch.setattr(finetune, "_loss", lambda *args: (torch.tensor(float("nan"), requires_grad=True), 8))
    data = make_task_data("sentence", [TextExample(f"the dog {i}", None, "pos" if i % 2 else "neg") for i in range(16)],
                          None, "test")
    cfg = finetune.FineTuneConfig(task="sentence", base_model=str(tiny_dirs["encoder"]), alias="nan-tune", epochs=1,
                                  batch_size=8, max_length=32, device="cpu")
    with pytest.raises(ValueError, match="diverged at step 1"):
        finetune.train(cfg, data)
    assert "nan-tune" not in models.trained_models()


def test_json_output_is_valid_json_even_for_nan_values():
    from core.cli.args import to_jsonable

    value = {"loss": float("nan"), "x": np.array([1.0, np.inf]), "y": np.float32("nan")}
    assert json.loads(json.dumps(to_jsonable(value), allow_nan=False)) == {"loss": None, "x": [1.0, None], "y": None}


def last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_cli_mask_sim_top_k_zero_is_an_error_not_a_traceback(tiny_dirs, capsys):
    assert main(["mask-sim", "the cat sat on the mat", "--top-k", "0", "--model", str(tiny_dirs["pretraining"]),
                 "--json"]) == 2
    assert "top-k" in last_json(capsys)["error"]


@pytest.mark.parametrize("line", ['{"text": 5}', '{"x": "a [MASK]"}', '{"text": "a [MASK]", "text_b": []}', "{oops"])
def test_cli_fill_mask_batch_with_a_bad_record_names_the_line(line, tiny_dirs, tmp_path, capsys):
    batch = tmp_path / "batch.jsonl"
    batch.write_text(f"the [MASK] sat\n{line}\n")
    assert main(["fill-mask", "--batch", str(batch), "--model", str(tiny_dirs["pretraining"]), "--json"]) == 2
    assert "line 2" in last_json(capsys)["error"]


@pytest.mark.parametrize("job", ['{"epochs": "two"}', '{"learning_rate": "x"}', '{"freeze_encoder": "yes"}', "[]",
                                 "{broken"])
def test_cli_finetune_config_with_wrongly_typed_fields_is_an_error(job, tmp_path, capsys):
    (tmp_path / "job.json").write_text(job)
    assert main(["finetune", "--config", str(tmp_path / "job.json"), "--json"]) == 2
    assert "job file" in last_json(capsys)["error"]


@pytest.mark.parametrize("flag", ["--checkpoint-every=0", "--batch-size=0", "--steps=0"])
def test_cli_pretrain_zero_sizes_are_errors_before_training(flag, tiny_dirs, models_home, capsys):
    assert main(["pretrain", "--model", str(tiny_dirs["pretraining"]), "--out", "zero", flag, "--json"]) == 2
    assert "at least 1" in last_json(capsys)["error"] and "zero" not in models.trained_models()


def test_cli_an_unexpected_failure_is_one_json_line(monkeypatch, capsys):
    def broken(args):
        raise KeyError("surprise")

    parser = build_parser()
    monkeypatch.setattr("core.cli.main.build_parser", lambda: parser)
    parser._subparsers._group_actions[0].choices["models"].set_defaults(func=broken)
    assert main(["models", "--json"]) == 1
    assert last_json(capsys)["error"].startswith("the command failed: KeyError")


FORMULA = '=HYPERLINK("http://evil.example","click")'


def test_nsp_batch_csv_export_neutralises_formula_cells(tiny_model):
    import csv
    import io

    from core.nsp import batch as nsp_batch

    quoted = '"' + FORMULA.replace('"', '""') + '"'
    upload = f"a,b,label\n{quoted},@SUM(1+1),1\nThe cat sat.,-0.5,0\n"
    result = nsp_batch.score_labeled_pairs(tiny_model, nsp_batch.read_upload("pairs.csv", upload.encode()))
    rows = list(csv.reader(io.StringIO(nsp_batch.to_csv(result))))
    assert rows[1][:2] == ["'" + FORMULA, "'@SUM(1+1)"] and rows[2][:2] == ["The cat sat.", "-0.5"]
    assert all(not cell.startswith(("=", "@", "+")) for row in rows[1:] for cell in row)
    assert float(rows[1][5]) == pytest.approx(result.rows()[0]["logits"][0], abs=1e-5)  # numbers stay numbers


def test_embedding_and_attention_csv_cells_never_start_a_formula(bundled_model):
    from core.attention import maps as attention
    from core.embeddings import tables as embedding_tables
    from core.model import forward

    table = embedding_tables.csv_text(["label", "value"], [[FORMULA, -0.25], ["-", 1.0]])
    assert table.splitlines()[1].startswith("\"'=HYPERLINK") and ",-0.25" in table and "\n-," in table
    exported = attention.attentions_csv(forward.analyze(bundled_model, "= the cat", None))
    assert ",'=," in exported and ",=," not in exported


@pytest.fixture
def config_over_too_few_layers(tiny_dirs, tmp_path):
    """A model folder whose config asks for 4 layers over weights for 2."""
    folder = tmp_path / "four-over-two"
    shutil.copytree(tiny_dirs["pretraining"], folder)
    settings = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**settings, "num_hidden_layers": 4}))
    return folder


def test_missing_encoder_layers_are_an_error_not_random_weights(config_over_too_few_layers):
    with pytest.raises(models.ModelLoadError, match="lacks .* encoder weights"):
        models.load_model(str(config_over_too_few_layers), torch.device("cpu"))
    with pytest.raises(ValueError, match="encoder weights"):
        pretraining.load_for_pretraining(str(config_over_too_few_layers))


def test_absent_head_weights_still_mean_no_such_head(tiny_dirs):
    loaded = models.load_model(str(tiny_dirs["encoder"]), torch.device("cpu"))  # a bare encoder: no heads at all
    assert not loaded.capabilities.names
    assert models.load_model(str(tiny_dirs["qa"]), torch.device("cpu")).capabilities.qa


def test_page_shows_missing_encoder_layers_as_a_message(config_over_too_few_layers):
    at = run_page("pages/home.py", {"model": str(config_over_too_few_layers)})
    assert not at.exception and any("encoder weights" in e.value for e in at.error)


@pytest.fixture
def held_jobs(monkeypatch):
    """Work that runs until the test lets it finish: jobs stay 'running' exactly as long as a test needs."""
    release = threading.Event()
    yield lambda job: release.wait(60)
    release.set()
    for job in jobs.running_jobs():  # finished before the next test counts running jobs
        job.wait(60)


def test_one_running_job_per_session_and_a_server_wide_cap(held_jobs, monkeypatch):
    monkeypatch.setattr(config, "MAX_RUNNING_JOBS", 2)
    first = jobs.start_job("a-1", held_jobs, owner="session-a")
    with pytest.raises(ValueError, match="already running 'a-1'"):
        jobs.start_job("a-2", held_jobs, owner="session-a")
    jobs.start_job("b-1", held_jobs, owner="session-b")
    with pytest.raises(ValueError, match="limit"):
        jobs.start_job("c-1", held_jobs, owner="session-c")
    first.cancel()
    jobs.start_job("unowned", lambda job: None).wait(10)  # work outside a browser session is not counted


def test_a_second_pre_training_start_in_one_session_is_refused(held_jobs, monkeypatch):
    monkeypatch.setattr(pretraining_runs, "run", lambda request, report: held_jobs(None))
    at = run_page("pages/pretrain.py", {"model": "bundled"})
    for _ in range(3):
        at.button(key="pretrain_start").click().run()
    assert not at.exception
    assert len(at.session_state["pretrain_jobs"]) == 1
    assert any("already running" in e.value for e in at.error)
    at.switch_page("pages/finetune.py").run()
    at.button(key="finetune_start").click().run()  # the same session, another page: still one job
    assert not at.exception and any("already running" in e.value for e in at.error)
    assert len(jobs.running_jobs()) == 1


def test_a_mask_cut_off_by_truncation_is_reported_as_cut_off_not_missing(tiny_model):
    from core.mlm import fill_mask as mlm

    long_text = "the cat sat on the mat . " * 40 + "[MASK]"
    for call in (lambda: mlm.fill_mask(tiny_model, long_text), lambda: mlm.logit_lens(tiny_model, long_text),
                 lambda: mlm.fill_mask_batch(tiny_model, [long_text])):
        with pytest.raises(ValueError, match="cut off"):
            call()
    with pytest.raises(ValueError, match="no \\[MASK\\] token"):
        mlm.fill_mask(tiny_model, "the cat sat")


def test_a_model_deleted_by_another_session_is_not_called_a_hub_model(tiny_dirs, models_home):
    save_fake_finetune(tiny_dirs, models_home, "ft-gone", "2026-01-01T00:00:00")
    assert models.load_model("ft-gone", torch.device("cpu")).capabilities.sequence_classification
    finetune_runs.delete_run("ft-gone")
    with pytest.raises(models.ModelLoadError, match="not a model saved here \\(deleted"):
        models.load_model("ft-gone", torch.device("cpu"))


@pytest.mark.parametrize("dropped", ["\u200b\u200b", "\x00\x01", "\u0300"])
def test_a_sentence_b_of_dropped_characters_is_an_error_not_an_empty_b(dropped, tiny_model):
    from core.model import forward
    from core.nsp import scoring as nsp

    with pytest.raises(ValueError, match="sentence B has no token"):
        forward.analyze(tiny_model, "the cat sat", dropped)
    with pytest.raises(ValueError, match="sentence B has no token"):
        nsp.score_pair(tiny_model, "the cat sat", dropped)
    with pytest.raises(ValueError, match="sentence A has no token"):
        forward.analyze(tiny_model, dropped, "the cat sat")


def test_cli_caps_integrated_gradient_steps_like_the_page(tiny_dirs, capsys):
    assert main(["classify", "the cat sat", "--model", str(tiny_dirs["sentence"]), "--saliency",
                 "integrated gradients", "--ig-steps", "2000", "--json"]) == 2
    assert "1 to 256 steps" in last_json(capsys)["error"]


def test_cli_caps_the_negatives_experiment_size(tiny_dirs, tmp_path, capsys):
    docs = tmp_path / "docs.txt"
    docs.write_text("The man went to the store. He bought milk. It was good.\n---\nThe dog sat. The cat sat. We went.\n")
    assert main(["nsp-experiment", str(docs), "--per-kind", "100000", "--model", str(tiny_dirs["pretraining"]),
                 "--json"]) == 2
    assert "between 1 and 1000" in last_json(capsys)["error"]


def test_masking_accuracy_keeps_top1_ids_not_every_log_probability(tiny_model, monkeypatch):
    from core.mlm import masking as mlm_pretraining
    from core.mlm import scoring as mlm_scoring

    kept = []
    original = mlm_scoring.log_probs_at

    def recording(*args, **kwargs):
        out, passes = original(*args, **kwargs)
        kept.extend(a.shape for a in out)
        return out, passes

    monkeypatch.setattr(mlm_pretraining, "log_probs_at", recording)
    text = "the man went to the store to buy milk . the dog sat on the mat ."
    result = mlm_pretraining.masking_accuracy(tiny_model, text, None, 40, 3)
    assert kept and all(len(shape) == 1 for shape in kept)  # (chosen,) ids, never (chosen, vocab)
    plans = mlm_pretraining._draw_plans(tiny_model, *mlm_pretraining._setup(tiny_model, text, None), 3, 40,
                                        mlm_pretraining.MaskingRule())
    encoded = mlm_pretraining._setup(tiny_model, text, None)[0]
    full = mlm_pretraining._predict(tiny_model, encoded, plans)  # the whole log-probabilities: same top-1
    hits = [int(np.argmax(r)) == encoded.input_ids[p] for plan, rows in zip(plans, full)
            for p, r in zip(plan.positions, rows)]
    assert result.predictions == len(hits) and result.accuracy == pytest.approx(np.mean(hits))


def test_masking_accuracy_refuses_too_much_work_for_one_request(tiny_model, monkeypatch):
    from core.mlm import masking as mlm_pretraining

    monkeypatch.setattr(mlm_pretraining, "MAX_TOKEN_DRAWS", 200)
    with pytest.raises(ValueError, match="too much work"):
        mlm_pretraining.masking_accuracy(tiny_model, "the man went to the store to buy milk .", None, 50, 11)


def test_a_folder_with_too_many_files_is_refused_before_datasets_scans_it(tmp_path, monkeypatch):
    from core.finetune import hub as finetune_hub

    big = tmp_path / "home"
    for part in range(3):
        (big / f"sub{part}").mkdir(parents=True)
        for i in range(8):
            (big / f"sub{part}" / f"note{i}.txt").write_text("text")
    monkeypatch.setattr(finetune_hub, "MAX_FOLDER_FILES", 20)
    scanned = []
    monkeypatch.setattr("datasets.load_dataset", lambda *a, **k: scanned.append(a))
    with pytest.raises(ValueError, match="more than 20 files"):
        finetune_hub.open_dataset(finetune_hub.HubDataRequest(str(big)))
    assert scanned == []  # refused before `datasets` looked at a single file


def test_a_crafted_model_name_in_a_link_is_shown_as_text_not_as_a_link():
    crafted = "[Session expired, log in](http://evil.example) ![x](http://evil.example/i.png)"
    at = run_page("pages/home.py", {"model": crafted})
    assert not at.exception and at.error
    for message in (e.value for e in at.error):
        assert "](http" not in message and "http://" not in message  # no link, image or autolink can form


def test_one_writer_per_model_name_runs_and_deletes_wait_their_turn(tiny_dirs, models_home):
    save_fake_finetune(tiny_dirs, models_home, "ft-busy", "2026-01-01T00:00:00")
    cfg = finetune.FineTuneConfig(task="sentence", base_model=str(tiny_dirs["encoder"]), alias="ft-busy", epochs=1,
                                  max_length=32, device="cpu", overwrite=True)
    request = pretraining_runs.RunRequest(tuple(pretraining_runs.example_documents(4)), str(tiny_dirs["pretraining"]),
                                          "ft-busy", pretraining.PretrainConfig(steps=2), overwrite=True)
    with checkpoints.writer_lock("ft-busy"):  # another run is saving this name right now
        for second_writer in (lambda: finetune.train(cfg, demo_data("sentence")),
                              lambda: pretraining_runs.run(request), lambda: finetune_runs.delete_run("ft-busy")):
            with pytest.raises(ValueError, match="another run is saving 'ft-busy'"):
                second_writer()
    assert checkpoints.read_metadata(models_home / "ft-busy")["kind"] == "finetune"  # untouched
    finetune_runs.delete_run("ft-busy")  # the lock is free again


def test_a_run_never_replaces_a_saved_model_unless_told_to(tiny_dirs, models_home, capsys):
    save_fake_finetune(tiny_dirs, models_home, "ft-keep", "2026-01-01T00:00:00")
    with pytest.raises(ValueError, match="already saved"):
        finetune.train(finetune.FineTuneConfig(alias="ft-keep", base_model=str(tiny_dirs["encoder"])),
                       demo_data("sentence"))
    request = pretraining_runs.RunRequest(tuple(pretraining_runs.example_documents(4)), str(tiny_dirs["pretraining"]),
                                          "ft-keep", pretraining.PretrainConfig(steps=2))
    with pytest.raises(ValueError, match="already saved"):
        pretraining_runs.run(request)
    assert main(["pretrain", "--model", str(tiny_dirs["pretraining"]), "--out", "ft-keep", "--steps", "2",
                 "--json"]) == 2
    assert "--overwrite" in last_json(capsys)["error"]
    assert checkpoints.read_metadata(models_home / "ft-keep")["kind"] == "finetune"  # the classifier is still there
    assert main(["finetune", "--model", str(tiny_dirs["encoder"]), "--out", "ft-keep", "--epochs", "1",
                 "--max-length", "32", "--device", "cpu", "--overwrite", "--json"]) == 0
    assert last_json(capsys)["alias"] == "ft-keep"


def test_a_failed_save_leaves_no_copy_behind_and_keeps_the_previous_version(tiny_dirs, tmp_path, monkeypatch):
    from transformers import AutoTokenizer, BertForSequenceClassification

    model = BertForSequenceClassification.from_pretrained(tiny_dirs["sentence"])
    tokenizer = AutoTokenizer.from_pretrained(tiny_dirs["sentence"])
    target = tmp_path / "models" / "run"
    checkpoints.save_atomic(model, tokenizer, target, {"version": 1})

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(tokenizer), "save_pretrained", disk_full)
    with pytest.raises(OSError):
        checkpoints.save_atomic(model, tokenizer, target, {"version": 2})
    assert sorted(p.name for p in target.parent.iterdir()) == ["run"]  # no .tmp-/.old- copy left
    assert checkpoints.read_metadata(target)["version"] == 1


def test_page_asks_before_a_run_replaces_a_saved_model(tiny_dirs, models_home):
    save_fake_finetune(tiny_dirs, models_home, "ft-sentence", "2026-01-01T00:00:00")
    at = run_page("pages/finetune.py", {"model": "bundled"})
    assert not at.exception and any("already saved" in e.value for e in at.error)
    assert at.button(key="finetune_start").disabled
    assert any("training /" in c.value for c in at.caption)  # the data is still read and described
    at.checkbox(key="finetune_overwrite").check().run()
    assert not at.exception and not at.button(key="finetune_start").disabled


def test_a_job_whose_tab_was_closed_is_listed_and_cancellable_from_another_session(monkeypatch):
    started, release = threading.Event(), threading.Event()

    def work(job):  # reports until cancelled, like a training loop
        started.set()
        while not release.wait(0.01):
            job.report(jobs.Progress(1, 10))

    orphan = jobs.start_job("pretrain closed-tab-run", work, owner="a-session-whose-tab-was-closed")
    started.wait(10)
    try:
        at = run_page("pages/pretrain.py", {"model": "bundled"})  # a new session
        assert any(markdown_literal("pretrain closed-tab-run") in c.value for c in at.caption)
        at.button(key=f"pretrain_server_jobs_{orphan.job_id}").click().run()
        assert orphan.wait(10).status == "cancelled"
    finally:
        release.set()
        orphan.wait(10)


def test_a_pre_training_run_can_be_deleted_after_a_confirmation_naming_it(tiny_dirs, models_home):
    run = models_home / "pretrain-mine"
    shutil.copytree(tiny_dirs["pretraining"], run)
    (run / checkpoints.COMPLETE_MARKER).write_text(json.dumps({"task": "pretraining", "step": 2}))
    save_fake_finetune(tiny_dirs, models_home, "ft-other", "2026-01-01T00:00:00")
    with pytest.raises(ValueError, match="not a pre-training run"):
        pretraining_runs.delete_run("ft-other")
    at = run_page("pages/pretrain.py", {"model": "bundled"})
    at.button(key="pretrain_delete").click().run()
    assert any(markdown_literal("pretrain-mine") in w.value for w in at.warning)
    assert models.trained_models() == ["ft-other", "pretrain-mine"]  # nothing gone before the confirmation
    at.button(key="pretrain_delete_yes").click().run()
    assert not at.exception and any(markdown_literal("pretrain-mine") in s.value for s in at.success)
    assert models.trained_models() == ["ft-other"]


def test_error_messages_that_quote_user_input_are_literal_text():
    """A file or model name in an error (read_uploads names the file) can never form a link or an image."""
    crafted = "[Session expired, log in](http://evil.example) ![x](http://evil.example/i.png).txt"

    def app(name: str):
        from core import corpus
        from ui.errors import show_error, user_errors

        with user_errors():
            corpus.read_uploads([(name, b"\xff\xfe\x00")])  # a UTF-16 file: the message names it
        show_error(f"{name} failed")

    at = AppTest.from_function(app, args=(crafted,)).run()
    assert not at.exception and len(at.error) == 2
    for message in (e.value for e in at.error):
        assert "](http" not in message and "http://" not in message


def test_a_crafted_model_name_typed_as_a_save_name_is_literal_in_the_blocking_message():
    at = run_page("pages/finetune.py", {"model": "bundled"})
    at.text_input(key="finetune_alias").set_value("[log in](http://evil.example)").run()
    assert not at.exception and at.error
    for message in (e.value for e in at.error):
        assert "](http" not in message and "http://" not in message
