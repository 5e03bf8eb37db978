"""Settings read from their sources: the process environment, a ``.env`` file and
``st.secrets``, the first that sets a name winning; a value that cannot be used is
reported and its default kept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from chat_core.settings.declarations import ENV_NAMES, declaration
from chat_core.settings.settings import Settings

__all__ = ["SettingProblem", "merge_sources", "read_dotenv", "resolve_settings"]


@dataclass(frozen=True)
class SettingProblem:
    """A configured value that could not be used; the default was kept instead."""

    name: str
    value: str
    expected: str


def read_dotenv(path: Path) -> dict[str, str]:
    """The ``.env`` file as a mapping, without touching ``os.environ``."""
    if not path.is_file():
        return {}
    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def merge_sources(*sources: Mapping[str, Any]) -> dict[str, str]:
    """Merge setting sources, the first one that sets a name winning.

    Only the names in :data:`ENV_NAMES` are taken, and empty strings count as
    unset so that ``OPENAI_BASE_URL=`` in a shell does not hide a secrets value.
    """
    merged: dict[str, str] = {}
    for source in sources:
        for name in ENV_NAMES:
            value = source.get(name)
            if name not in merged and value is not None and str(value).strip() != "":
                merged[name] = str(value).strip()
    return merged


def resolve_settings(
    sources: Sequence[Mapping[str, Any]],
) -> tuple[Settings, tuple[SettingProblem, ...]]:
    """Build :class:`Settings` from sources in precedence order.

    A value that does not parse or is out of range is reported and the default
    is kept, so a typo in one setting never stops the app from opening.
    """
    values: dict[str, Any] = {}
    problems: list[SettingProblem] = []
    for name, raw in merge_sources(*sources).items():
        setting = declaration(ENV_NAMES[name])
        try:
            values[setting.name] = setting.parse(raw)
        except (ValueError, KeyError, TypeError, IndexError):
            shown = "***" if setting.secret else raw
            problems.append(SettingProblem(name, shown, setting.expected))
    return Settings(**values, model_configured="model" in values), tuple(problems)
