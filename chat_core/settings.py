"""Typed settings built from the environment, a ``.env`` file and ``st.secrets``.

Precedence, highest first: the process environment, the ``.env`` file, the
secrets mapping (``.streamlit/secrets.toml`` or Community Cloud's secrets), then
the defaults below. A visitor's sidebar choices are applied on top, for their
session only, through :func:`with_overrides`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dotenv import dotenv_values

from .identity import IPNetwork, parse_networks
from .tokens import DEFAULT_PRICES, parse_prices

__all__ = [
    "ENV_NAMES",
    "LIMITS",
    "REASONING_EFFORTS",
    "STORED_SETTINGS",
    "SettingProblem",
    "Settings",
    "merge_sources",
    "read_dotenv",
    "resolve_settings",
    "stored_settings",
    "with_overrides",
]


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything that shapes a request to the model."""

    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    model: str = "gpt-5.4-mini"  # OpenAI's current small model (a reasoning model)
    model_configured: bool = False  # CHAT_MODEL was set: the deployer's choice, kept
    temperature: float = 0.0
    max_tokens: int = 512
    history_window: int = 3
    history_fit: bool = False  # send as many recent exchanges as fit the context instead
    context_tokens: int = 8_192  # the model's context when its server does not report it
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
    auto_titles: bool = True  # the model names a conversation after its first answer
    sharing: bool = False  # owners may make read-only snapshot links of a conversation
    sharing_requires_sign_in: bool = False  # only signed-in, allowed users open them
    messages_per_minute: int = 0  # per user; 0: no limit
    tokens_per_day: int = 0  # per user; 0: no limit
    tokens_per_day_total: int = 0  # everyone together; 0: no limit
    allowed_models: tuple[str, ...] = ()  # what a visitor may choose; (): any
    max_tokens_limit: int = 32_768  # the largest max tokens a visitor may choose
    # US dollars per million tokens (input, output) by model: built in, CHAT_PRICES over them
    prices: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: MappingProxyType(DEFAULT_PRICES)
    )
    admins: frozenset[str] = frozenset()  # lowercased: "local", e-mails, "user:e-mail"
    allowed_users: frozenset[str] = frozenset()  # with sign-in: lowercased e-mails, @domains
    trusted_proxies: tuple[IPNetwork, ...] = ()  # whose X-Forwarded-For is believed
    answers_per_user: int = 2  # answers being written at once for one user
    answers_total: int = 64  # answers being written at once in one app process
    answers_per_address: int | None = None  # one address or /64; None: a quarter of total
    answer_timeout: float = 900.0  # seconds an answer may take, then it is ended
    # Reasoning models only: "low", "medium" or "high". Low by default: a chat answers
    # quickly, and the thinking counts in max tokens (512 by default).
    reasoning_effort: str | None = "low"

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
    "CHAT_HISTORY_FIT": "history_fit",
    "CHAT_CONTEXT_TOKENS": "context_tokens",
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
    "CHAT_AUTO_TITLES": "auto_titles",
    "CHAT_SHARING": "sharing",
    "CHAT_SHARING_REQUIRES_SIGN_IN": "sharing_requires_sign_in",
    "CHAT_MESSAGES_PER_MINUTE": "messages_per_minute",
    "CHAT_TOKENS_PER_DAY": "tokens_per_day",
    "CHAT_TOKENS_PER_DAY_TOTAL": "tokens_per_day_total",
    "CHAT_ALLOWED_MODELS": "allowed_models",
    "CHAT_MAX_TOKENS_LIMIT": "max_tokens_limit",
    "CHAT_PRICES": "prices",
    "CHAT_ADMINS": "admins",
    "CHAT_ALLOWED_USERS": "allowed_users",
    "CHAT_TRUSTED_PROXIES": "trusted_proxies",
    "CHAT_ANSWERS_PER_USER": "answers_per_user",
    "CHAT_ANSWERS_TOTAL": "answers_total",
    "CHAT_ANSWERS_PER_ADDRESS": "answers_per_address",
    "CHAT_ANSWER_TIMEOUT": "answer_timeout",
    "CHAT_REASONING_EFFORT": "reasoning_effort",
}

# Inclusive bounds of the numeric settings; shared with the sidebar widgets.
LIMITS: dict[str, tuple[float, float]] = {
    "temperature": (0.0, 2.0),
    "max_tokens": (1, 32_768),
    "history_window": (0, 50),
    "context_tokens": (1_024, 10_000_000),
    "request_timeout": (1.0, 600.0),
    "max_retries": (0, 10),
    "max_input_chars": (100, 1_000_000),
    "max_attachment_chars": (1_000, 2_000_000),
    "messages_per_minute": (0, 10_000),
    "tokens_per_day": (0, 1_000_000_000),
    "tokens_per_day_total": (0, 100_000_000_000),
    "max_tokens_limit": (1, 32_768),
    "answers_per_user": (1, 1_000),
    "answers_total": (1, 10_000),
    "answers_per_address": (1, 10_000),
    "answer_timeout": (10.0, 86_400.0),
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


REASONING_EFFORTS = ("low", "medium", "high")


def _parse_effort(_: str, raw: str) -> str:
    value = raw.lower()
    if value not in REASONING_EFFORTS:
        raise ValueError(raw)
    return value


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


def _parse_prices(_: str, raw: str) -> Mapping[str, tuple[float, float]]:
    # Raises ValueError (or KeyError, TypeError) when malformed.
    return MappingProxyType(parse_prices(raw))


def _parse_text(_: str, raw: str) -> str:
    return raw


def _parse_names(_: str, raw: str) -> frozenset[str]:
    """Comma-separated names, compared without regard to case."""
    return frozenset(part.strip().lower() for part in raw.split(",") if part.strip())


def _parse_models(_: str, raw: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def _parse_networks(_: str, raw: str) -> tuple[IPNetwork, ...]:
    return parse_networks(raw)


def _parse_base_url(_: str, raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError(raw)
    return raw.rstrip("/")


_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "temperature": _parse_number(float),
    "max_tokens": _parse_number(int),
    "history_window": _parse_number(int),
    "context_tokens": _parse_number(int),
    "history_fit": _parse_bool,
    "request_timeout": _parse_number(float),
    "max_retries": _parse_number(int),
    "max_input_chars": _parse_number(int),
    "max_attachment_chars": _parse_number(int),
    "messages_per_minute": _parse_number(int),
    "tokens_per_day": _parse_number(int),
    "tokens_per_day_total": _parse_number(int),
    "max_tokens_limit": _parse_number(int),
    "answers_per_user": _parse_number(int),
    "answers_total": _parse_number(int),
    "answers_per_address": _parse_number(int),
    "answer_timeout": _parse_number(float),
    "prices": _parse_prices,
    "admins": _parse_names,
    "allowed_users": _parse_names,
    "allowed_models": _parse_models,
    "trusted_proxies": _parse_networks,
    "require_key": _parse_bool,
    "local_owner": _parse_bool,
    "auto_titles": _parse_bool,
    "sharing": _parse_bool,
    "sharing_requires_sign_in": _parse_bool,
    "language": _parse_language,
    "reasoning_effort": _parse_effort,
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
    if _PARSERS.get(field_name) is _parse_bool:
        return "true or false"
    if field_name == "reasoning_effort":
        return ", ".join(REASONING_EFFORTS)
    if field_name == "trusted_proxies":
        return "addresses or networks, comma-separated"
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
    return Settings(**values, model_configured="model" in values), tuple(problems)


def clamp(field_name: str, value: float) -> float:
    """``value`` brought inside the field's :data:`LIMITS`."""
    low, high = LIMITS[field_name]
    return min(max(value, low), high)


# What a visitor may change for their own session; everything else is the deployer's.
VISITOR_CHOICES = frozenset(
    {
        "api_key",
        "base_url",
        "model",
        "temperature",
        "max_tokens",
        "history_window",
        "history_fit",
        "system_prompt",
        "language",
        "reasoning_effort",
    }
)


def with_overrides(settings: Settings, overrides: Mapping[str, Any]) -> Settings:
    """``settings`` with a visitor's choices applied, within what the deployer allows.

    Numbers are clamped to range and max tokens to ``max_tokens_limit``; a model
    outside ``allowed_models`` keeps the configured one; a visitor's server is used
    only while the deployer configured no key (the key must never go to it).
    ``None`` and blank strings mean "keep the configured value".
    """
    changes: dict[str, Any] = {}
    for name, value in overrides.items():
        if name not in VISITOR_CHOICES or value is None:
            continue
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
        if name in LIMITS:
            kind = int if isinstance(getattr(settings, name), int) else float
            value = kind(clamp(name, kind(value)))
        changes[name] = value
    if "max_tokens" in changes:
        changes["max_tokens"] = min(changes["max_tokens"], settings.max_tokens_limit)
    if settings.allowed_models and changes.get("model") not in settings.allowed_models:
        changes.pop("model", None)
    if settings.api_key:
        changes.pop("base_url", None)
    if changes.get("reasoning_effort") not in (None, *REASONING_EFFORTS):
        changes.pop("reasoning_effort")
    return replace(settings, **changes)


# What a conversation remembers of the settings it was held with (never the key).
STORED_SETTINGS = (
    "model",
    "temperature",
    "max_tokens",
    "history_window",
    "history_fit",
    "system_prompt",
)


def stored_settings(settings: Settings) -> dict[str, Any]:
    """The settings a conversation is saved with: only named, non-secret ones."""
    return {
        name: getattr(settings, name)
        for name in STORED_SETTINGS
        if getattr(settings, name) is not None
    }
