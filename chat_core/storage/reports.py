"""What the Usage page shows: tokens by day and model, and the answers that got thumbs."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import BigInteger, Integer, cast, extract, func, select
from sqlalchemy.engine import Engine

from chat_core.conversation.message_codec import feedback_from
from chat_core.storage.message_rows import aware, title_from
from chat_core.storage.schema import conversations, messages, usage_events

__all__ = ["feedback_report", "usage_report"]

# Usage is summed in SQL by quarter of an hour (of UTC), then each quarter is given to
# the visitor's day: every time zone's offset from UTC is a whole number of quarters, so
# no quarter straddles two of their days, and no row per request leaves the database.
_QUARTER = 900
_SUMS = ("answers", "input_tokens", "output_tokens", "reasoning_tokens")


def _quarter(engine: Engine):
    """The quarter of an hour (seconds since 1970 // 900) each request was sent in."""
    at = usage_events.c.at
    if engine.dialect.name == "sqlite":  # stored as UTC text, read by strftime
        seconds = cast(func.strftime("%s", at), Integer)
    else:
        seconds = cast(func.floor(extract("epoch", at)), BigInteger)
    return (seconds // _QUARTER).label("quarter")


def usage_report(engine: Engine, owner: str | None, zone: tzinfo = UTC) -> list[dict[str, Any]]:
    """Rows of (owner, day, model, answers, input, output and reasoning tokens), by day in
    ``zone`` (the visitor's), oldest first; None: everyone."""
    quarter = _quarter(engine)
    query = select(
        usage_events.c.owner,
        quarter,
        usage_events.c.model,
        func.count().label("answers"),
        func.sum(usage_events.c.input_tokens).label("input_tokens"),
        func.sum(usage_events.c.output_tokens).label("output_tokens"),
        func.sum(usage_events.c.reasoning_tokens).label("reasoning_tokens"),
    ).group_by(usage_events.c.owner, quarter, usage_events.c.model)
    query = query.where(usage_events.c.pending == 0)  # answers still being written wait
    if owner is not None:
        query = query.where(usage_events.c.owner == owner)
    days: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(_SUMS, 0))
    with engine.connect() as connection:
        for row in connection.execute(query):
            start = datetime.fromtimestamp(row.quarter * _QUARTER, UTC)
            sums = days[(row.owner, start.astimezone(zone).date().isoformat(), row.model)]
            for name in _SUMS:
                sums[name] += int(getattr(row, name) or 0)
    return [
        {"owner": owner_, "day": day, "model": model, **sums}
        for (owner_, day, model), sums in sorted(days.items(), key=lambda i: (i[0][1], i[0][2]))
    ]


def feedback_report(engine: Engine, owner: str | None, *, limit: int = 500) -> list[dict[str, Any]]:
    """The latest answers that got thumbs, newest first; None: everyone's.

    Each row: owner, conversation id and title, when the answer was written, the
    rating ("up" / "down"), the comment, and the answer's opening.
    """
    query = (
        select(
            conversations.c.owner,
            conversations.c.id,
            conversations.c.title,
            messages.c.created_at,
            messages.c.content,
            messages.c.feedback,
        )
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .where(messages.c.feedback.is_not(None))
        .order_by(messages.c.created_at.desc())
        .limit(limit)
    )
    if owner is not None:
        query = query.where(conversations.c.owner == owner)
    rows = []
    with engine.connect() as connection:
        for row in connection.execute(query):
            feedback = feedback_from(row.feedback)
            if feedback is None:  # a JSON null, or a value this version cannot read
                continue
            rows.append(
                {
                    "owner": row.owner,
                    "conversation_id": row.id,
                    "title": row.title,
                    "at": aware(row.created_at),
                    "rating": feedback.rating.value,
                    "comment": feedback.comment,
                    "answer": title_from(row.content),
                }
            )
    return rows
