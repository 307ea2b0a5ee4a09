"""The tests: core/ (the encoder core, package by package), cli/ (`python -m core`), app/ (pages through AppTest), browser/
(the running app in headless Chromium); helpers.py is what they share, conftest.py the fixtures."""
