"""The settings a conversation keeps, read back from a file or the database: each of its
kind and inside its range, as the sidebar's widgets can show them (a slider given 5 for
a temperature of 0 to 2 stops the page)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from chat_core.settings.declarations import LIMITS, STORED_SETTINGS, ValueKind, declaration
from chat_core.settings.settings import clamp

__all__ = ["kept_settings"]


def kept_settings(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The settings of ``values`` a conversation keeps, and the names of those that were
    out of range and brought to the nearest bound. Any other (a server, a key, a value
    of the wrong kind) is left out."""
    kept: dict[str, Any] = {}
    adjusted: list[str] = []
    for name, value in values.items():
        usable = _usable(name, value)
        if usable is None:
            continue
        kept[name] = usable
        if usable != value:
            adjusted.append(name)
    return kept, adjusted


def _usable(name: str, value: Any) -> Any:
    if name not in STORED_SETTINGS:
        return None
    kind = declaration(name).kind
    if kind is ValueKind.YES_NO:
        return value if isinstance(value, bool) else None
    if kind is ValueKind.TEXT:
        return value if isinstance(value, str) else None
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not math.isfinite(value):
        return None
    inside = clamp(name, value) if name in LIMITS else value
    return round(inside) if kind is ValueKind.WHOLE else float(inside)
