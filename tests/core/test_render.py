"""core/render.py: strings drawn on pages."""

import pytest

from core.render import percent


@pytest.mark.parametrize("p, shown", [(0.123, "12.3%"), (1.0, "100.0%"), (0.0, "0.0%"), (0.0005, "0.1%"),
                                      (3.2e-05, "3.2e-05"), (1e-09, "1.0e-09")])
def test_percent_never_hides_a_tiny_probability_as_zero(p, shown):
    assert percent(p) == shown
