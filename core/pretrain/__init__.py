"""Pre-training (note section 3): MLM and NSP trained at the same time — the data, the runner, short runs from the
app and the CLI, and the everyday held-out evaluation of the bundled model."""
