"""The app's two languages, and one text in both: the Lessons and the Findings pages (and their CLI commands,
`--lang`) read in English or Simplified Chinese. A text with {placeholders} is filled in both languages from the
same values, so the two always say the same numbers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LANGUAGES = {"en": "English", "zh": "中文"}


@dataclass(frozen=True)
class Text:
    """One text in both languages."""

    en: str
    zh: str

    def in_(self, language: str) -> str:
        return self.zh if language == "zh" else self.en

    def format(self, **values) -> Text:
        """Both languages with `values` put in; a value that is itself a Text puts in its words of that language."""
        def filled(language: str) -> str:
            return self.in_(language).format(
                **{k: v.in_(language) if isinstance(v, Text) else v for k, v in values.items()})

        return Text(filled("en"), filled("zh"))


NOTHING = Text("", "")  # an optional part of a sentence that is left out



def phrase(words: Mapping[str, Text], name: str, language: str, **values) -> str:
    """words[name] in `language`, with `values` put in (without values the text is taken as it stands, so a
    template such as plotly's "%{y}" keeps its braces)."""
    text = words[name]
    return (text.format(**values) if values else text).in_(language)
