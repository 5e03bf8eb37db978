"""Conversations that last: SQLAlchemy Core on SQLite (default) or PostgreSQL.

Every call is scoped by owner: no method returns or changes another owner's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, literal, or_, select, update
from sqlalchemy.engine import Connection, Engine

from ..attachments import Attachment
from ..messages import ChatMessage
from ..text import one_line
from .engine import DatabaseFile, open_engine
from .migrations import migrate, version
from .reports import feedback_report, usage_report
from .rows import (
    attachment_from,
    attachment_values,
    aware,
    message_from,
    message_values,
    now,
    title_from,
)
from .schema import attachments, conversations, messages, usage_events

__all__ = ["ConversationStore", "ConversationSummary", "StoredConversation"]


@dataclass(frozen=True)
class ConversationSummary:
    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    message_count: int
    pinned: bool = False


@dataclass(frozen=True)
class StoredConversation:
    id: str
    title: str
    settings: dict[str, Any]
    messages: list[ChatMessage]
    created_at: datetime
    updated_at: datetime


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ConversationStore:
    """One shared object per database: holds a connection pool, never a visitor's data."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = open_engine(url)
        migrate(self.engine)
        self._file = DatabaseFile(self.engine)

    def migrate(self) -> None:
        migrate(self.engine)

    def version(self) -> int:
        return version(self.engine)

    def lost(self) -> bool:
        """Whether the SQLite file was deleted or replaced since it was opened."""
        return self._file.lost()

    # Conversations ---------------------------------------------------------------

    def create(self, owner: str, *, title: str, settings: dict[str, Any]) -> str:
        conversation_id = str(uuid.uuid4())
        moment = now()
        with self.engine.begin() as connection:
            connection.execute(
                insert(conversations).values(
                    id=conversation_id,
                    owner=owner,
                    title=title_from(title) or "…",
                    settings=settings,
                    created_at=moment,
                    updated_at=moment,
                )
            )
        return conversation_id

    def _owned(self, conversation_id: str, owner: str):
        return (conversations.c.id == conversation_id) & (conversations.c.owner == owner)

    def _touch(self, connection: Connection, conversation_id: str, owner: str) -> bool:
        result = connection.execute(
            update(conversations)
            .where(self._owned(conversation_id, owner))
            .values(updated_at=now())
        )
        return result.rowcount == 1

    def rename(
        self, conversation_id: str, owner: str, title: str, *, only_if: str | None = None
    ) -> bool:
        """Give it ``title``; with ``only_if``, only while its title is still that one
        (a title written for it must not undo the visitor's own)."""
        owned = self._owned(conversation_id, owner)
        if only_if is not None:
            owned = owned & (conversations.c.title == (title_from(only_if) or "…"))
        with self.engine.begin() as connection:
            result = connection.execute(
                update(conversations).where(owned).values(title=one_line(title)[:200] or "…")
            )
        return result.rowcount == 1

    def pin(self, conversation_id: str, owner: str, pinned: bool) -> None:
        """Keep it at the top of the chat list (or not); its place in time is unchanged."""
        with self.engine.begin() as connection:
            connection.execute(
                update(conversations)
                .where(self._owned(conversation_id, owner))
                .values(pinned_at=now() if pinned else None)
            )

    def save_settings(self, conversation_id: str, owner: str, settings: dict[str, Any]) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(conversations)
                .where(self._owned(conversation_id, owner))
                .values(settings=settings)
            )

    def delete(self, conversation_id: str, owner: str) -> None:
        with self.engine.begin() as connection:
            owned = select(conversations.c.id).where(self._owned(conversation_id, owner))
            connection.execute(delete(attachments).where(attachments.c.conversation_id.in_(owned)))
            connection.execute(delete(messages).where(messages.c.conversation_id.in_(owned)))
            connection.execute(delete(conversations).where(self._owned(conversation_id, owner)))

    def list(
        self, owner: str, *, search: str = "", limit: int | None = None, counted: bool = True
    ) -> list[ConversationSummary]:
        """The owner's conversations, newest first; ``search`` matches titles, text, file
        names; ``limit``: only the newest that many, every pinned one besides;
        ``counted=False`` leaves the message counts at 0 (the chat list shows none)."""
        count = (
            select(func.count())
            .where(messages.c.conversation_id == conversations.c.id)
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
            matching = select(messages.c.conversation_id).where(
                messages.c.content.ilike(pattern, escape="\\")
            )
            with_file = select(attachments.c.conversation_id).where(
                attachments.c.name.ilike(pattern, escape="\\")
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
        with self.engine.connect() as connection:
            return [
                ConversationSummary(
                    row[0], row[1], aware(row[2]), aware(row[3]), row[4], row[5] is not None
                )
                for row in connection.execute(query)
            ]

    def load(
        self, conversation_id: str, owner: str, *, writing_within: float = 0.0
    ) -> StoredConversation | None:
        """The conversation, or None if it is not ``owner``'s (or does not exist).

        An answer saved while it streamed comes back as being written if the
        conversation changed in the last ``writing_within`` seconds (its job saves every
        few seconds), else as interrupted.
        """
        with self.engine.connect() as connection:
            head = connection.execute(
                select(conversations).where(self._owned(conversation_id, owner))
            ).first()
            if head is None:
                return None
            files: dict[int, list[Attachment]] = {}
            for row in connection.execute(
                select(attachments)
                .where(attachments.c.conversation_id == conversation_id)
                .order_by(attachments.c.position, attachments.c.number)
            ):
                files.setdefault(row.position, []).append(attachment_from(row))
            rows = connection.execute(
                select(messages)
                .where(messages.c.conversation_id == conversation_id)
                .order_by(messages.c.position)
            )
            live = aware(head.updated_at) >= now() - timedelta(seconds=writing_within)
            loaded = [
                message_from(row, files.get(row.position, ()), still_written=live) for row in rows
            ]
        return StoredConversation(
            head.id,
            head.title,
            dict(head.settings or {}),
            loaded,
            aware(head.created_at),
            aware(head.updated_at),
        )

    # Messages --------------------------------------------------------------------

    def put_message(
        self, conversation_id: str, owner: str, position: int, message: ChatMessage
    ) -> None:
        """Store ``message`` at ``position`` (0-based), replacing what was there."""
        values = message_values(message)
        with self.engine.begin() as connection:
            if not self._touch(connection, conversation_id, owner):
                raise PermissionError("no such conversation for this owner")
            if message.is_user:  # only questions carry files
                self._put_attachments(connection, conversation_id, position, message.attachments)
            changed = connection.execute(
                update(messages)
                .where(
                    (messages.c.conversation_id == conversation_id)
                    & (messages.c.position == position)
                )
                .values(**values)
            ).rowcount
            if not changed:
                connection.execute(
                    insert(messages).values(
                        conversation_id=conversation_id,
                        position=position,
                        created_at=now(),
                        **values,
                    )
                )

    @staticmethod
    def _put_attachments(
        connection: Connection, conversation_id: str, position: int, files: Sequence[Attachment]
    ) -> None:
        here = (attachments.c.conversation_id == conversation_id) & (
            attachments.c.position == position
        )
        connection.execute(delete(attachments).where(here))
        if files:
            connection.execute(
                insert(attachments),
                [
                    {
                        "conversation_id": conversation_id,
                        "position": position,
                        "number": number,
                        **attachment_values(file),
                    }
                    for number, file in enumerate(files)
                ],
            )

    def truncate(self, conversation_id: str, owner: str, length: int) -> None:
        """Keep only the first ``length`` messages (Retry, Edit)."""
        with self.engine.begin() as connection:
            if self._touch(connection, conversation_id, owner):
                connection.execute(
                    delete(attachments).where(
                        (attachments.c.conversation_id == conversation_id)
                        & (attachments.c.position >= length)
                    )
                )
                connection.execute(
                    delete(messages).where(
                        (messages.c.conversation_id == conversation_id)
                        & (messages.c.position >= length)
                    )
                )

    def rename_owner(self, old: str, new: str) -> int:
        """Move everything of owner ``old`` to ``new``; the number of conversations moved."""
        with self.engine.begin() as connection:
            moved = connection.execute(
                update(conversations).where(conversations.c.owner == old).values(owner=new)
            ).rowcount
            connection.execute(
                update(usage_events).where(usage_events.c.owner == old).values(owner=new)
            )
        return moved

    # Reports ----------------------------------------------------------------------

    def usage_report(self, owner: str | None) -> list[dict[str, Any]]:
        """Rows of (owner, day, model, answers, input and output tokens); None: everyone."""
        return usage_report(self.engine, owner)

    def feedback_report(self, owner: str | None, *, limit: int = 500) -> list[dict[str, Any]]:
        """The latest answers that got thumbs, newest first; None: everyone's."""
        return feedback_report(self.engine, owner, limit=limit)
