"""bertviz's head view and model view as HTML that draws with no internet.

Note section 1: every layer and head of the encoder stack, drawn by bertviz (Vig, 2019). bertviz's
templates load require.js, d3 and jQuery from a CDN. Here the CDN tag and require paths are removed
and the libraries are inlined at run time from installed PyPI packages (d3 v5 from `mpld3`, jQuery
from `xstatic-jquery`); a few lines of our own stand in for require.js. No third-party code is
copied into this repository.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from core.model.forward import Analysis
from core.model.layers import attention_layer_label

# Most attention numbers one bertviz view may embed (~7 bytes each in its JSON); beyond it, fewer layers/heads.
MAX_VIEW_VALUES = 1_200_000
# bertviz's JSON carries attention weights at this many decimals (full float precision triples the page size).
DECIMALS = 4

# Our stand-in for require.js: bertviz calls require.config(...) and requirejs(['jquery', 'd3'], fn).
REQUIRE_SHIM = """
window.require = window.require || {};
window.require.config = function () {};
window.requirejs = function (names, callback) {
  var modules = {jquery: window.jQuery, d3: window.d3};
  callback.apply(null, names.map(function (name) { return modules[name]; }));
};
"""
_CDN_SCRIPT_TAG = re.compile(r"<script[^>]*src=[\"']https?://[^\"']*[\"'][^>]*>\s*</script>", re.IGNORECASE)
_REQUIRE_CONFIG = re.compile(r"require\.config\(\{.*?\}\);", re.DOTALL)
# What would make a browser fetch a script: a src= attribute or a CDN path left in the template.
EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\ssrc\s*=|cdnjs\.|cdn\.jsdelivr|unpkg\.com|require\.config\(\{", re.IGNORECASE)


@dataclass(frozen=True)
class ViewSubset:
    """Which layers and heads a bertviz view embeds, and why when not all of them."""

    layers: list[int]
    heads: list[int]
    notice: str  # empty when everything is shown


@lru_cache(maxsize=1)
def library_scripts() -> str:
    """d3 v5 and jQuery, read from their installed packages, as inline <script> tags."""
    try:
        import mpld3
        import xstatic.pkg.jquery as xjquery
    except ImportError as err:
        raise ValueError("the offline bertviz view needs `pip install mpld3 xstatic-jquery` (see requirements.txt)") from err
    d3_files = sorted((Path(mpld3.__file__).parent / "js").glob("d3.v5*.js"))
    jquery_file = Path(xjquery.BASE_DIR) / "jquery.min.js"
    if not d3_files or not jquery_file.is_file():
        raise ValueError("d3 v5 (from mpld3) or jQuery (from xstatic-jquery) is missing from the installed packages")
    sources = [jquery_file.read_text(encoding="utf-8"), d3_files[0].read_text(encoding="utf-8"), REQUIRE_SHIM]
    # "</script" inside a library would end our tag early; the escaped form means the same to JavaScript.
    escaped = [s.replace("</script", "<\\/script") for s in sources]
    return "".join(f"<script>{s}</script>\n" for s in escaped)


def view_subset(analysis: Analysis, layer: int, heads: list[int] | None = None) -> ViewSubset:
    """All layers and heads when they fit MAX_VIEW_VALUES; else the chosen layer; else its chosen heads."""
    layers_n, heads_n, seq, _ = analysis.attentions.shape
    copies = 2 if analysis.inputs.is_pair else 1  # bertviz repeats the data in its A/B filters
    per_head = seq * seq * copies
    all_heads = list(range(heads_n))
    if layers_n * heads_n * per_head <= MAX_VIEW_VALUES:
        return ViewSubset(list(range(layers_n)), all_heads, "")
    if heads_n * per_head <= MAX_VIEW_VALUES:
        return ViewSubset([layer], all_heads, f"{seq} tokens: only {attention_layer_label(layer)} is embedded to keep the view responsive")
    chosen = sorted(set(heads or [0]))
    fit = max(1, MAX_VIEW_VALUES // per_head)
    notice = f"{seq} tokens: only {attention_layer_label(layer)}, heads {', '.join(map(str, chosen[:fit]))} are embedded"
    return ViewSubset([layer], chosen[:fit], notice)


def _attention_tensors(analysis: Analysis, subset: ViewSubset) -> list[torch.Tensor | None]:
    """bertviz's input: one (1, heads, seq, seq) tensor per layer, rounded to DECIMALS.

    Layers outside the subset are (1, heads, 1, 1) zeros: bertviz reads only its include_layers, and at 512 tokens
    the full tensor in float64 would take hundreds of MB — but it counts heads on layer 0, so no entry may be None
    (a None there crashed the model view whenever the one embedded layer was not layer 0).
    """
    placeholder = torch.zeros(1, len(subset.heads), 1, 1, dtype=torch.float64)
    return [
        torch.from_numpy(np.round(analysis.attentions[layer][subset.heads].astype(np.float64), DECIMALS)[None])
        if layer in subset.layers else placeholder
        for layer in range(analysis.num_layers)
    ]


def _sentence_b_start(analysis: Analysis) -> int | None:
    sentence_ids = analysis.inputs.sentence_ids
    return sentence_ids.index(1) if 1 in sentence_ids else None


def _safe_script(bertviz_html: str) -> str:
    """Tokens reach the page as JSON inside bertviz's <script>; a token "</script>" must not end that script.

    bertviz draws tokens with d3's .text(), which never parses them as HTML, so only the script body needs care.
    """
    head, marker, script = bertviz_html.rpartition('<script type="text/javascript">')
    if not marker:
        raise ValueError("unexpected bertviz output: no script block; this bertviz version is not supported")
    code, end, tail = script.rpartition("</script>")
    code = code.replace("</", "<\\/").replace("<!--", "<\\!--")
    return head + marker + code + end + tail


def _make_offline(bertviz_html: str) -> str:
    """Drop the CDN require.js tag and the CDN paths, put the inlined libraries first."""
    body = _CDN_SCRIPT_TAG.sub("", _safe_script(bertviz_html))
    body = _REQUIRE_CONFIG.sub("/* d3 and jQuery are inlined above */", body)
    if EXTERNAL_SCRIPT.search(body):
        raise ValueError("bertviz's template still references an external URL; this bertviz version is not supported")
    return library_scripts() + body


def _initially_visible(subset: ViewSubset, heads: list[int] | None) -> list[int] | None:
    """bertviz's indices (within the embedded heads) of the heads to show first; None = all."""
    wanted = [subset.heads.index(h) for h in (heads or []) if h in subset.heads]
    return wanted if wanted and len(wanted) < len(subset.heads) else None


def head_view_html(analysis: Analysis, layer: int = 0, heads: list[int] | None = None) -> tuple[str, ViewSubset]:
    """bertviz's head view of the analysis, offline; pair inputs get its A→A / A→B / B→A / B→B filter."""
    from bertviz import head_view

    subset = view_subset(analysis, layer, heads)
    view = head_view(
        _attention_tensors(analysis, subset), list(analysis.inputs.tokens), sentence_b_start=_sentence_b_start(analysis),
        layer=layer if layer in subset.layers else subset.layers[0], include_layers=subset.layers, html_action="return",
        heads=_initially_visible(subset, heads),
    )
    return _make_offline(view.data), subset


def model_view_html(analysis: Analysis, layer: int = 0, heads: list[int] | None = None) -> tuple[str, ViewSubset]:
    """bertviz's model view (every layer × head as a thumbnail), offline."""
    from bertviz import model_view

    subset = view_subset(analysis, layer, heads)
    view = model_view(
        _attention_tensors(analysis, subset), list(analysis.inputs.tokens), sentence_b_start=_sentence_b_start(analysis),
        include_layers=subset.layers, display_mode="light", html_action="return",
    )
    return _make_offline(view.data), subset


def standalone_page(view_html: str, title: str) -> str:
    """A bertviz view as a complete HTML document that opens offline in any browser."""
    return (
        f'<!doctype html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>\n'
        f'<body style="background:#fff">\n{view_html}\n</body></html>\n'
    )
