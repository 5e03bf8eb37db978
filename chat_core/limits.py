"""Per-user limits that protect the owner's key: messages per minute, tokens per day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .settings import Settings

__all__ = ["LimitReached", "check_limits"]


@dataclass(frozen=True)
class LimitReached:
    kind: str  # "messages_per_minute" or "tokens_per_day", as the settings name them
    limit: int


def check_limits(
    settings: Settings,
    usage_since: Callable[[datetime], tuple[int, int]],
    now: datetime,
) -> LimitReached | None:
    """The first limit this user has reached, if any.

    ``usage_since(moment)`` gives (answers, tokens) since ``moment``, as counted
    in the database, so limits hold across sessions and restarts.
    """
    if settings.messages_per_minute:
        answers, _ = usage_since(now - timedelta(minutes=1))
        if answers >= settings.messages_per_minute:
            return LimitReached("messages_per_minute", settings.messages_per_minute)
    if settings.tokens_per_day:
        _, tokens = usage_since(now - timedelta(days=1))
        if tokens >= settings.tokens_per_day:
            return LimitReached("tokens_per_day", settings.tokens_per_day)
    return None
