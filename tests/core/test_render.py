"""core/render.py: strings drawn on pages."""

import pytest

from core.render import percent


@pytest.mark.parametrize("p, shown", [(0.123, "12.3%"), (1.0, "100.0%"), (0.0, "0.0%"), (0.0005, "0.1%"),
                                      (3.2e-05, "3.2e-05"), (1e-09, "1.0e-09")])
def test_percent_never_hides_a_tiny_probability_as_zero(p, shown):
    assert percent(p) == shown


def test_encoder_diagram_draws_the_block_with_the_model_sizes_and_escapes_labels():
    from core.render import encoder_diagram_html

    page = encoder_diagram_html(6, 384, 12, 1536, ["MLM", "<b>x</b>"])
    order = [page.index(part) for part in ("Input embeddings", "Multi-head self-attention", "Add &amp; LayerNorm",
                                             "Feed-forward", "Contextual embeddings", "Heads")]
    assert order == sorted(order)
    assert "× 6" in page and "12 heads × 32 dims = 384" in page and "384 → 1536 → 384" in page
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
