"""The list of an owner's conversations: newest first, searched, counted. Search looks in
every version of every message (and titles, and file names); counts follow the branch
on screen of each, as the page shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, literal, or_, select
from sqlalchemy.engine import Engine

from chat_core.storage.message_rows import aware
from chat_core.storage.schema import attachments, conversations, messages

__all__ = [
    "EVERY_PROJECT",
    "ConversationSummary",
    "branches",
    "in_project",
    "like_pattern",
    "list_conversations",
    "matching",
    "summary_columns",
    "summary_from",
]


@dataclass(frozen=True)
class ConversationSummary:
    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    message_count: int
    pinned: bool = False
    project_id: str | None = None  # the project it is in


def branches(chosen):
    """The messages on the branch on screen of the conversations ``chosen`` (a condition
    on ``conversations``): a recursive query from each one's current message up to its
    first. What message counts see, as the page does."""
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
        .where(chosen)
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


def like_pattern(search: str) -> str | None:
    """A LIKE pattern matching ``search`` anywhere, its ``%`` and ``_`` taken literally
    (escape character ``\\``); None for a search of nothing."""
    words = search.strip()
    if not words:
        return None
    return "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def matching(pattern: str):
    """A condition on ``conversations``: ``pattern`` is in its title, in any version of
    any of its messages, or in the name of any of its files."""
    in_text = exists().where(
        (messages.c.conversation_id == conversations.c.id)
        & messages.c.content.ilike(pattern, escape="\\")
    )
    in_file = exists().where(
        (attachments.c.conversation_id == conversations.c.id)
        & attachments.c.name.ilike(pattern, escape="\\")
    )
    return or_(conversations.c.title.ilike(pattern, escape="\\"), in_text, in_file)


def summary_columns(count):
    """The columns a ConversationSummary is read from, ``count`` its message count."""
    return (
        conversations.c.id,
        conversations.c.title,
        conversations.c.created_at,
        conversations.c.updated_at,
        count,
        conversations.c.pinned_at,
        conversations.c.project_id,
    )


def summary_from(row, count: int | None = None) -> ConversationSummary:
    return ConversationSummary(
        row[0],
        row[1],
        aware(row[2]),
        aware(row[3]),
        row[4] if count is None else count,
        row[5] is not None,
        row[6],
    )


EVERY_PROJECT = "*"  # a project filter that keeps every conversation


def in_project(project: str | None):
    """A condition on ``conversations``: in that project (None: in none)."""
    if project is None:
        return conversations.c.project_id.is_(None)
    return conversations.c.project_id == project


def list_conversations(
    engine: Engine,
    owner: str,
    *,
    search: str,
    limit: int | None,
    counted: bool,
    project: str | None = EVERY_PROJECT,
) -> list[ConversationSummary]:
    """See ConversationStore.list."""
    owned = conversations.c.owner == owner
    if project != EVERY_PROJECT:
        owned = owned & in_project(project)
    branch = branches(owned)
    count = (
        select(func.count())
        .select_from(branch)
        .where(branch.c.conversation_id == conversations.c.id)
        .scalar_subquery()
        if counted
        else literal(0)
    )
    query = select(*summary_columns(count)).where(owned)
    pattern = like_pattern(search)
    if pattern is not None:
        query = query.where(matching(pattern))
    query = query.order_by(conversations.c.updated_at.desc())
    if limit is not None:
        newest = select(conversations.c.id).where(owned)
        newest = newest.order_by(conversations.c.updated_at.desc()).limit(limit)
        query = query.where(
            or_(conversations.c.id.in_(newest), conversations.c.pinned_at.is_not(None))
        )
    with engine.connect() as connection:
        return [summary_from(row) for row in connection.execute(query)]
