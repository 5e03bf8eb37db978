"""The chat list's groups: pinned first, then by day as the visitor's calendar has it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta, tzinfo
from typing import Protocol, TypeVar

__all__ = ["GROUPS", "Listed", "group_by_day"]

# In the order shown; each is a catalogue key under "chat_list.".
GROUPS = ("pinned", "today", "yesterday", "previous_7_days", "older")


class Listed(Protocol):
    """What the list needs of a conversation (a ``ConversationSummary``)."""

    @property
    def updated_at(self): ...

    @property
    def pinned(self) -> bool: ...


def _group(day: date, today: date) -> str:
    if day >= today:
        return "today"  # a clock a little ahead is still today
    if day == today - timedelta(days=1):
        return "yesterday"
    if day > today - timedelta(days=8):
        return "previous_7_days"
    return "older"


Item = TypeVar("Item", bound=Listed)


def group_by_day(
    items: Iterable[Item], *, today: date, zone: tzinfo
) -> list[tuple[str, list[Item]]]:
    """``items`` (newest first) in their groups, empty groups left out, order kept."""
    groups: dict[str, list[Item]] = {name: [] for name in GROUPS}
    for item in items:
        name = "pinned" if item.pinned else _group(item.updated_at.astimezone(zone).date(), today)
        groups[name].append(item)
    return [(name, groups[name]) for name in GROUPS if groups[name]]
