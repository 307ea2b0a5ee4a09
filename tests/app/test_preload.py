"""ui/preload.py: the server loads the default model and analyses the example pair when it starts (issue 19)."""

import asyncio

from streamlit.web.server.app_discovery import discover_asgi_app

from core import config
from core.model import forward
from tests.helpers import ROOT
from ui import loaders, preload


def test_streamlit_run_serves_the_app_with_its_start_up_hook():
    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.app_name == "app"


def test_the_start_up_hook_leaves_the_first_visit_no_model_work():
    said = preload.warm_up()
    assert "loaded and the example pair analysed" in said
    runs = forward.forward_pass_count()
    loaded = loaders.load_model(loaders.default_model()[0])  # what the first visitor's Home page asks for
    forward.analyze(loaded, config.DEFAULT_TEXT_A, config.DEFAULT_TEXT_B)
    assert forward.forward_pass_count() == runs


def test_the_hook_can_be_turned_off(monkeypatch):
    called = []
    monkeypatch.setattr(config, "PRELOAD", False)
    monkeypatch.setattr(preload, "warm_up", lambda: called.append(1) or "")

    async def start_and_stop():
        async with preload.lifespan(None):
            pass

    asyncio.run(start_and_stop())
    assert called == []
