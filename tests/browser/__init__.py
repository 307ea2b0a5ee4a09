"""The running app in headless Chromium (Debian's chromium): what a person types, clicks and sees."""
