"""Typed settings built from the environment, a ``.env`` file and ``st.secrets``.

Precedence, highest first: the process environment, the ``.env`` file, the
secrets mapping (``.streamlit/secrets.toml`` or Community Cloud's secrets), then
the defaults below. A visitor's sidebar choices are applied on top, for their
session only, through :func:`with_overrides`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from .usage import parse_prices

__all__ = [
    "ENV_NAMES",
    "LIMITS",
    "SettingProblem",
    "Settings",
    "merge_sources",
    "read_dotenv",
    "resolve_settings",
    "with_overrides",
]


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything that shapes a request to the model."""

    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    temperature: float = 0.0
    max_tokens: int = 512
    history_window: int = 3
    system_prompt: str | None = None  # None: the shipped prompt for the language
    language: str | None = None  # "ja" / "en"; None: follow the browser
    request_timeout: float = 60.0
    max_retries: int = 2
    max_input_chars: int = 50_000
    max_attachment_chars: int = 100_000  # text of a message's attached files, all together
    require_key: bool | None = None  # None: a key is needed for OpenAI, not for a base URL
    database_url: str | None = field(default=None, repr=False)  # None: SQLite in data_dir
    data_dir: str | None = None  # None: ./data beside the app
    local_owner: bool = True  # visitors on this machine (loopback) keep their history
    messages_per_minute: int = 0  # per user; 0: no limit
    tokens_per_day: int = 0  # per user; 0: no limit
    prices: str | None = None  # JSON {"model": [input, output]} in USD per million tokens
    admins: str = ""  # comma-separated identities who see everyone's usage
    allowed_users: str = ""  # with sign-in: comma-separated e-mails and @domains; "" is anyone

    @property
    def key_required(self) -> bool:
        return self.base_url is None if self.require_key is None else self.require_key

    @property
    def has_endpoint(self) -> bool:
        """True when a request can be attempted: a key, or a server that needs none."""
        return bool(self.api_key) or not self.key_required


# Setting name in the environment / .env / secrets -> Settings field.
ENV_NAMES: dict[str, str] = {
    "OPENAI_API_KEY": "api_key",
    "OPENAI_BASE_URL": "base_url",
    "CHAT_MODEL": "model",
    "CHAT_TEMPERATURE": "temperature",
    "CHAT_MAX_TOKENS": "max_tokens",
    "CHAT_HISTORY_WINDOW": "history_window",
    "CHAT_SYSTEM_PROMPT": "system_prompt",
    "CHAT_LANGUAGE": "language",
    "OPENAI_TIMEOUT": "request_timeout",
    "OPENAI_MAX_RETRIES": "max_retries",
    "CHAT_MAX_INPUT_CHARS": "max_input_chars",
    "CHAT_MAX_ATTACHMENT_CHARS": "max_attachment_chars",
    "CHAT_REQUIRE_KEY": "require_key",
    "CHAT_DATABASE_URL": "database_url",
    "CHAT_DATA_DIR": "data_dir",
    "CHAT_LOCAL_OWNER": "local_owner",
    "CHAT_MESSAGES_PER_MINUTE": "messages_per_minute",
    "CHAT_TOKENS_PER_DAY": "tokens_per_day",
    "CHAT_PRICES": "prices",
    "CHAT_ADMINS": "admins",
    "CHAT_ALLOWED_USERS": "allowed_users",
}

# Inclusive bounds of the numeric settings; shared with the sidebar widgets.
LIMITS: dict[str, tuple[float, float]] = {
    "temperature": (0.0, 2.0),
    "max_tokens": (1, 32_768),
    "history_window": (0, 50),
    "request_timeout": (1.0, 600.0),
    "max_retries": (0, 10),
    "max_input_chars": (100, 1_000_000),
    "max_attachment_chars": (1_000, 2_000_000),
    "messages_per_minute": (0, 10_000),
    "tokens_per_day": (0, 1_000_000_000),
}


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


def _parse_number(kind: Callable[[str], float]) -> Callable[[str, str], Any]:
    def parse(field_name: str, raw: str) -> Any:
        value = kind(raw)
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(raw)
        low, high = LIMITS[field_name]
        if not low <= value <= high:
            raise ValueError(raw)
        return value

    return parse


def _parse_language(_: str, raw: str) -> str | None:
    value = raw.lower()
    if value == "auto":
        return None
    if value not in ("ja", "en"):
        raise ValueError(raw)
    return value


def _parse_bool(_: str, raw: str) -> bool:
    value = raw.lower()
    if value not in _BOOLEANS:
        raise ValueError(raw)
    return _BOOLEANS[value]


_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _parse_prices(_: str, raw: str) -> str:
    parse_prices(raw)  # raises ValueError (or KeyError/TypeError) when malformed
    return raw


def _parse_text(_: str, raw: str) -> str:
    return raw


def _parse_base_url(_: str, raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError(raw)
    return raw.rstrip("/")


_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "temperature": _parse_number(float),
    "max_tokens": _parse_number(int),
    "history_window": _parse_number(int),
    "request_timeout": _parse_number(float),
    "max_retries": _parse_number(int),
    "max_input_chars": _parse_number(int),
    "max_attachment_chars": _parse_number(int),
    "messages_per_minute": _parse_number(int),
    "tokens_per_day": _parse_number(int),
    "prices": _parse_prices,
    "require_key": _parse_bool,
    "local_owner": _parse_bool,
    "language": _parse_language,
    "base_url": _parse_base_url,
}


def _expected(field_name: str) -> str:
    if field_name in LIMITS:
        low, high = LIMITS[field_name]
        return f"{low} .. {high}"
    if field_name == "language":
        return "ja, en or auto"
    if field_name == "base_url":
        return "an http:// or https:// URL"
    if field_name == "prices":
        return 'JSON like {"model": [input, output]}'
    if field_name in ("require_key", "local_owner"):
        return "true or false"
    return "text"


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
        field_name = ENV_NAMES[name]
        parse = _PARSERS.get(field_name, _parse_text)
        try:
            values[field_name] = parse(field_name, raw)
        except (ValueError, KeyError, TypeError, IndexError):
            shown = "***" if field_name in ("api_key", "database_url") else raw
            problems.append(SettingProblem(name, shown, _expected(field_name)))
    return Settings(**values), tuple(problems)


def clamp(field_name: str, value: float) -> float:
    """``value`` brought inside the field's :data:`LIMITS`."""
    low, high = LIMITS[field_name]
    return min(max(value, low), high)


def with_overrides(settings: Settings, overrides: Mapping[str, Any]) -> Settings:
    """``settings`` with a visitor's choices applied; numbers are clamped to range.

    ``None`` and blank strings mean "keep the configured value".
    """
    known = {f.name for f in fields(Settings)}
    changes: dict[str, Any] = {}
    for name, value in overrides.items():
        if name not in known or value is None:
            continue
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
        if name in LIMITS:
            kind = int if isinstance(getattr(settings, name), int) else float
            value = kind(clamp(name, kind(value)))
        changes[name] = value
    return replace(settings, **changes)
