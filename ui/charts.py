"""Show a plotly figure with a PNG button (plotly's own, in the chart's toolbar) and a CSV download of its data."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st


def show(fig, csv: Callable[[], str], name: str, label: str | None = None) -> None:
    """Draw the figure (toolbar camera = PNG named after the chart) and a CSV button (`label`, else "Download
    <name>.csv"); the CSV is built on click."""
    config = {"toImageButtonOptions": {"format": "png", "filename": name, "scale": 2}, "displaylogo": False}
    st.plotly_chart(fig, config=config, key=f"chart_{name}")
    st.download_button(label or f"Download {name}.csv", csv, file_name=f"{name}.csv", mime="text/csv",
                       key=f"csv_{name}", on_click="ignore")
