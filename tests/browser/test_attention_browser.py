"""Real browser, network blocked: the bertviz head view draws its SVG offline; clicking the overview opens a head."""

import pytest

from tests.helpers import chromium_page, require_chromium, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser

# Each selectbox's label plus the value it shows (an <input>'s value, which innerText leaves out).
SELECTBOX_TEXTS = ("[...document.querySelectorAll('[data-testid=stSelectbox]')].map(e => "
                   "(e.innerText + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')).trim())")
LOOPBACK = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def app_url():
    require_chromium()
    with streamlit_server() as url:
        yield url


def open_attention(page, url: str, query: str = "model=bundled") -> None:
    # Open the app's root first: a brand-new server runs a first request for /attention as a plain
    # pages/ script before app.py has set up the navigation (and the shared sidebar).
    page.goto(f"{url}/?{query}")
    wait_for_app(page)
    page.goto(f"{url}/attention?{query}")
    wait_for_app(page)


def test_bertviz_head_view_draws_offline(app_url):
    with chromium_page(block_network=True) as page:
        outside = []
        page.on("request", lambda r: None if r.url.startswith(LOOPBACK) else outside.append(r.url))
        open_attention(page, app_url, "model=bundled&a=The+%3Cscript%3E+bank+of+the+river.&b=It+was+closed.")
        page.get_by_role("tab", name="bertviz").click()
        wait_for_app(page)
        view = page.frame_locator("iframe").first
        view.locator("svg text").first.wait_for(timeout=60_000)
        words = view.locator("svg text").evaluate_all("els => els.map(e => e.textContent)")
        assert "bank" in words and "river" in words and "<" in words  # '<' of <script> drawn as text
        assert view.locator("svg line, svg path").count() > 50  # attention lines were drawn
        assert view.locator("select#filter option").count() == 5  # All, A→A, B→B, A→B, B→A
        assert outside == []  # nothing tried to reach the internet
        screenshot(page, "attention-bertviz-offline")


def test_clicking_the_overview_opens_that_head(app_url):
    with chromium_page(block_network=True) as page:
        open_attention(page, app_url)
        page.get_by_role("tab", name="Layers × heads").click()
        wait_for_app(page)
        grid = page.locator(".stPlotlyChart:visible").first.locator(".nsewdrag").first  # only the open tab is drawn
        grid.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)  # let plotly finish laying out the grid
        box = grid.bounding_box()
        page.mouse.click(box["x"] + box["width"] * 7.5 / 12, box["y"] + box["height"] * 3.5 / 6)  # 4th row, head 7
        wait_for_app(page)
        page.wait_for_function(f"() => {SELECTBOX_TEXTS}.some(t => t.includes('head 7'))", timeout=30_000)
        texts = page.evaluate(f"() => {SELECTBOX_TEXTS}")
        assert texts[1].endswith("layer 4") and texts[2].endswith("head 7")  # 4th row = layer 4 (index 3), head 7
        screenshot(page, "attention-overview-click")
