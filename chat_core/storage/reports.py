"""What the Usage page shows: tokens by day and model, and the answers that got thumbs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from ..messages import Feedback
from .rows import aware, title_from
from .schema import conversations, messages, usage_events

__all__ = ["feedback_report", "usage_report"]


def usage_report(engine: Engine, owner: str | None) -> list[dict[str, Any]]:
    """Rows of (owner, day, model, answers, input, output and reasoning tokens); None:
    everyone."""
    day = func.date(usage_events.c.at)
    query = select(
        usage_events.c.owner,
        day.label("day"),
        usage_events.c.model,
        func.count().label("answers"),
        func.sum(usage_events.c.input_tokens).label("input_tokens"),
        func.sum(usage_events.c.output_tokens).label("output_tokens"),
        func.sum(usage_events.c.reasoning_tokens).label("reasoning_tokens"),
    ).group_by(usage_events.c.owner, day, usage_events.c.model)
    query = query.where(usage_events.c.pending == 0)  # answers still being written wait
    if owner is not None:
        query = query.where(usage_events.c.owner == owner)
    with engine.connect() as connection:
        return [
            {**row._asdict(), "day": str(row.day)}
            for row in connection.execute(query.order_by(day, usage_events.c.model))
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
            feedback = Feedback.from_dict(row.feedback)
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
