"""How a setting's text from the environment becomes its value; each raises ValueError
(or KeyError, TypeError, IndexError) when the text cannot be used."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from chat_core.identity import IPNetwork, parse_networks
from chat_core.usage.prices import parse_prices

__all__ = [
    "REASONING_EFFORTS",
    "SEARCH_PROVIDERS",
    "parse_base_url",
    "parse_bool",
    "parse_effort",
    "parse_language",
    "parse_models",
    "parse_names",
    "parse_networks_text",
    "parse_number",
    "parse_prices_text",
    "parse_search_provider",
    "parse_text",
]

REASONING_EFFORTS = ("low", "medium", "high")

_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def parse_number(kind: type, low: float, high: float) -> Callable[[str], Any]:
    """A parser of ``kind`` (int or float) that refuses what is not finite or outside
    ``low .. high``."""

    def parse(raw: str) -> Any:
        value = kind(raw)
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(raw)
        if not low <= value <= high:
            raise ValueError(raw)
        return value

    return parse


def parse_effort(raw: str) -> str:
    value = raw.lower()
    if value not in REASONING_EFFORTS:
        raise ValueError(raw)
    return value


SEARCH_PROVIDERS = ("searxng", "tavily", "brave")


def parse_search_provider(raw: str) -> str | None:
    value = raw.strip().lower()
    if value in ("", "off", "none"):
        return None
    if value not in SEARCH_PROVIDERS:
        raise ValueError(raw)
    return value


def parse_language(raw: str) -> str | None:
    value = raw.lower()
    if value == "auto":
        return None
    if value not in ("ja", "en"):
        raise ValueError(raw)
    return value


def parse_bool(raw: str) -> bool:
    value = raw.lower()
    if value not in _BOOLEANS:
        raise ValueError(raw)
    return _BOOLEANS[value]


def parse_prices_text(raw: str) -> Mapping[str, tuple[float, float]]:
    return MappingProxyType(parse_prices(raw))


def parse_text(raw: str) -> str:
    return raw


def parse_names(raw: str) -> frozenset[str]:
    """Comma-separated names, compared without regard to case."""
    return frozenset(part.strip().lower() for part in raw.split(",") if part.strip())


def parse_models(raw: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def parse_networks_text(raw: str) -> tuple[IPNetwork, ...]:
    return parse_networks(raw)


def parse_base_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError(raw)
    return raw.rstrip("/")
