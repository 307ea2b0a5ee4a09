"""Kill the Streamlit server (SIGKILL) while a fine-tune started in the browser is training, and again while
it is saving a checkpoint; after each restart on the same models folder every model the picker lists loads,
and what the killed save left behind is cleaned up. (tests/core/test_crash_recovery.py kills the CLI instead.)"""

import os
import signal
import time
from pathlib import Path

import pytest
import torch

from core import config
from core.model import checkpoints
from core.model import loading as models
from tests.helpers import chromium_page, require_chromium, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser

EPOCHS = "50"  # ~0.6 s per epoch for the tiny model: the run outlives both kills by far


def start_finetune(page, url: str, base: str, alias: str) -> None:
    """The Fine-tune page: a demo sentence-classification run of `base`, saved as `alias` after every epoch."""
    page.goto(f"{url}/?model={base}")  # a fresh server learns the navigation from its first script run
    wait_for_app(page)
    page.goto(f"{url}/finetune?model={base}")
    wait_for_app(page)
    name = page.get_by_label("Name of the new model")
    name.fill(alias)
    name.press("Enter")
    wait_for_app(page)
    page.get_by_text("Hyper-parameters").click()
    epochs = page.get_by_label("Epochs")
    epochs.fill(EPOCHS)
    epochs.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Start training").click()
    page.get_by_text(f"finetune {alias}: running", exact=False).first.wait_for(timeout=120_000)


def wait_until(condition, timeout_s: float = 120, what: str = "") -> None:
    deadline = time.time() + timeout_s
    while not condition():
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def staging_folders(models_dir: Path, alias: str) -> list[str]:
    return [name for name in os.listdir(models_dir) if name.startswith(f".{alias}.tmp-")]


def half_written_staging(models_dir: Path, alias: str) -> str | None:
    """A staging folder of `alias` that holds the weights but not yet the completion marker, if there is one."""
    for name in staging_folders(models_dir, alias):
        try:
            files = os.listdir(models_dir / name)
        except FileNotFoundError:  # renamed into place between two calls
            continue
        if "model.safetensors" in files and checkpoints.COMPLETE_MARKER not in files:
            return name
    return None


def kill_during_a_save(models_dir: Path, alias: str, pid: int, timeout_s: float = 120) -> str:
    """Poll the models folder every ~1 ms; once a save has begun writing the weights into its staging folder
    but not yet finished, freeze the server (SIGSTOP, every thread at once) and look again: the frozen folder
    is exactly what a SIGKILL leaves. If the save finished between the poll and the freeze, let the server go
    on (SIGCONT) and try the next epoch's save. No timing luck: the verdict is read while nothing can move.
    Returns the staging folder's name."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if half_written_staging(models_dir, alias) is not None:
            os.kill(pid, signal.SIGSTOP)
            frozen = half_written_staging(models_dir, alias)
            if frozen is not None:
                os.kill(pid, signal.SIGKILL)
                return frozen
            os.kill(pid, signal.SIGCONT)
        time.sleep(0.001)
    raise AssertionError("no save was caught half-way within the time limit")


def picker_models(page) -> list[str]:
    """The model picker's options (names, without the ' — download' mark of hub models), from the open dropdown."""
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return [o.split(" — ")[0].strip() for o in options]


def check_every_trained_model_loads_in_the_browser(url: str, base: str, shot: str) -> list[str]:
    """Open a restarted server; pick each trained model the picker lists; each loads with its real head."""
    with chromium_page(block_network=True) as page:
        page.goto(f"{url}/?model={base}")
        wait_for_app(page)
        trained = [m for m in picker_models(page) if m not in config.SUGGESTED_MODELS and m != base]
        for alias in trained:
            page.goto(f"{url}/?model={alias}")
            wait_for_app(page)
            page.get_by_text(f"Model: {alias}").wait_for(timeout=60_000)
            sidebar = page.locator("[data-testid=stSidebar]")
            sidebar.get_by_text("trained heads: sentence classification").wait_for(timeout=60_000)
            assert sidebar.locator("[data-testid=stAlertContentError]").count() == 0
            assert page.locator("[data-testid=stException]").count() == 0
        screenshot(page, shot)
    return trained


def test_server_killed_mid_training_and_mid_save_leaves_only_loadable_models(tmp_path, tiny_dirs, monkeypatch):
    require_chromium()
    models_dir = tmp_path / "models"
    env = {"BERT_EXPLORER_HOME": str(tmp_path), "OMP_NUM_THREADS": "1"}
    base = str(tiny_dirs["encoder"])

    # (a) Mid-training: after the first checkpoint, between two saves.
    with streamlit_server(env=env) as url, chromium_page(block_network=True) as page:
        start_finetune(page, url, base, "killed-training")
        wait_until(lambda: checkpoints.is_complete(models_dir / "killed-training"), what="the first checkpoint")
        wait_until(lambda: not staging_folders(models_dir, "killed-training"), what="a moment between saves")
        os.kill(streamlit_server.last_pid, signal.SIGKILL)

    # (b) Mid-save: a restarted server lists the first run; a second run is killed while it writes a checkpoint.
    with streamlit_server(env=env) as url:
        assert check_every_trained_model_loads_in_the_browser(url, base, "server-killed-mid-training") == [
            "killed-training"]
        with chromium_page(block_network=True) as page:
            start_finetune(page, url, base, "killed-saving")
            wait_until(lambda: checkpoints.is_complete(models_dir / "killed-saving"), what="the first checkpoint")
            staging = kill_during_a_save(models_dir, "killed-saving", streamlit_server.last_pid)
    left = sorted(os.listdir(models_dir / staging))
    assert "model.safetensors" in left and checkpoints.COMPLETE_MARKER not in left  # really killed half-way

    # After the restart: the interrupted save is cleaned up, the previous checkpoint of each run loads.
    with streamlit_server(env=env) as url:
        listed = check_every_trained_model_loads_in_the_browser(url, base, "server-killed-mid-save")
        assert listed == ["killed-saving", "killed-training"]
    assert sorted(os.listdir(models_dir)) == ["killed-saving", "killed-training"]
    monkeypatch.setattr(config, "MODELS_HOME", models_dir)
    for alias in models.trained_models():
        assert models.load_model(alias, device=torch.device("cpu")).capabilities.sequence_classification
