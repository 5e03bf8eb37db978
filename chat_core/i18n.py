"""The UI's strings, one catalogue per language, looked up by key."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

from chat_core.errors import UserFacingError
from chat_core.markdown.visitor_text import escape_markdown

__all__ = ["LANGUAGES", "Translator", "catalogue", "language_for_locale"]

LANGUAGES = ("ja", "en")
_LOCALES_DIR = Path(__file__).parent / "locales"


@cache
def catalogue(language: str) -> Mapping[str, str]:
    """The read-only strings of ``language`` (loaded once; shared safely, never mutated)."""
    with (_LOCALES_DIR / f"{language}.toml").open("rb") as file:
        return MappingProxyType(tomllib.load(file))


def language_for_locale(locale: str | None) -> str:
    """Japanese for a ``ja*`` browser locale, English for everything else."""
    return "ja" if (locale or "").lower().startswith("ja") else "en"


class _Details(dict):
    def __missing__(self, key: str) -> str:
        return "…"


class Translator:
    """Looks up strings for one language; ``t("key", name=value)`` fills placeholders."""

    def __init__(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language: {language!r}")
        self.language = language
        self._strings = catalogue(language)

    def __call__(self, key: str, /, **values: object) -> str:
        text = self._strings[key]
        return text.format(**values) if values else text

    def explain(self, error: UserFacingError) -> str:
        """What went wrong, for the page: the error kind's message with its details.

        Details can come from outside (a model's name, an imported file): each is shown
        as text, never as Markdown, and one a message needs but lacks reads as "…".
        """
        details = _Details({key: escape_markdown(str(v)) for key, v in error.details.items()})
        return self._strings[f"error.{error.kind.value}"].format_map(details)
