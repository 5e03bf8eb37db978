"""The list of an owner's conversations: newest first, searched, counted, as the page
shows them (the branch on screen of each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal, or_, select
from sqlalchemy.engine import Engine

from .rows import aware
from .schema import attachments, conversations, messages

__all__ = ["ConversationSummary", "list_conversations"]


@dataclass(frozen=True)
class ConversationSummary:
    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    message_count: int
    pinned: bool = False


def _branches(owner: str):
    """The messages on the branch on screen of each of ``owner``'s conversations (a
    recursive query from each conversation's current message up to its first): what
    search and message counts see, as the page does."""
    columns = (messages.c.conversation_id, messages.c.position, messages.c.parent)
    on_screen = (
        select(*columns, messages.c.content)
        .select_from(
            messages.join(
                conversations,
                (conversations.c.id == messages.c.conversation_id)
                & (conversations.c.current == messages.c.position),
            )
        )
        .where(conversations.c.owner == owner)
        .cte("branch", recursive=True)
    )
    above = select(*columns, messages.c.content).select_from(
        messages.join(
            on_screen,
            (messages.c.conversation_id == on_screen.c.conversation_id)
            & (messages.c.position == on_screen.c.parent),
        )
    )
    return on_screen.union_all(above)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_conversations(
    engine: Engine, owner: str, *, search: str, limit: int | None, counted: bool
) -> list[ConversationSummary]:
    """See ConversationStore.list."""
    branch = _branches(owner)
    count = (
        select(func.count())
        .select_from(branch)
        .where(branch.c.conversation_id == conversations.c.id)
        .scalar_subquery()
        if counted
        else literal(0)
    )
    query = select(
        conversations.c.id,
        conversations.c.title,
        conversations.c.created_at,
        conversations.c.updated_at,
        count,
        conversations.c.pinned_at,
    ).where(conversations.c.owner == owner)
    if search.strip():
        pattern = f"%{_escape_like(search.strip())}%"
        matching = select(branch.c.conversation_id).where(
            branch.c.content.ilike(pattern, escape="\\")
        )
        with_file = select(attachments.c.conversation_id).where(
            (attachments.c.conversation_id == branch.c.conversation_id)
            & (attachments.c.position == branch.c.position)
            & attachments.c.name.ilike(pattern, escape="\\")
        )
        query = query.where(
            or_(
                conversations.c.title.ilike(pattern, escape="\\"),
                conversations.c.id.in_(matching),
                conversations.c.id.in_(with_file),
            )
        )
    query = query.order_by(conversations.c.updated_at.desc())
    if limit is not None:
        newest = select(conversations.c.id).where(conversations.c.owner == owner)
        newest = newest.order_by(conversations.c.updated_at.desc()).limit(limit)
        query = query.where(
            or_(conversations.c.id.in_(newest), conversations.c.pinned_at.is_not(None))
        )
    with engine.connect() as connection:
        return [
            ConversationSummary(
                row[0], row[1], aware(row[2]), aware(row[3]), row[4], row[5] is not None
            )
            for row in connection.execute(query)
        ]
