"""Conversations that last: SQLAlchemy Core on SQLite (default) or PostgreSQL.

Every call is scoped by owner: no method returns or changes another owner's data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from chat_core.conversation.imported import ImportedConversation
from chat_core.conversation.messages import ChatMessage
from chat_core.conversation.versions import MessageTree
from chat_core.files.attachments import Attachment
from chat_core.markdown.visitor_text import one_line
from chat_core.settings.presets import Preset
from chat_core.storage.engine import DatabaseFile, open_engine
from chat_core.storage.import_rows import store_import
from chat_core.storage.listing import EVERY_PROJECT, ConversationSummary, list_conversations
from chat_core.storage.message_rows import (
    attachment_from,
    aware,
    message_values,
    now,
    replace_attachments,
    settings_from,
    title_from,
    tree_from,
)
from chat_core.storage.migrations import migrate, version
from chat_core.storage.preset_rows import list_presets, remove_preset, store_preset
from chat_core.storage.project_rows import owns_project
from chat_core.storage.reports import feedback_report, usage_report
from chat_core.storage.schema import attachments, conversations, messages, shares, usage_events
from chat_core.storage.search import HistoryPage, history_page

__all__ = [
    "PREVIOUS",
    "ConversationStore",
    "ConversationSummary",
    "MissingMessageError",
    "StoredConversation",
]

# put_message's parent when none is given: the message numbered just before (a
# conversation of one branch, as every conversation was before versions).
PREVIOUS = "previous"


class MissingMessageError(LookupError):
    """A reply or a branch pointer to a message that is not stored (its save failed):
    refused, so that every stored parent and the branch on screen are stored messages."""


@dataclass(frozen=True)
class StoredConversation:
    """A conversation as stored: ``messages`` is the branch on screen, ``tree`` every
    version (None: one branch, ``messages``) and ``current`` the branch's last number."""

    id: str
    title: str
    settings: dict[str, Any]
    messages: list[ChatMessage]
    created_at: datetime
    updated_at: datetime
    tree: MessageTree | None = None
    current: int | None = None
    project_id: str | None = None  # the project it is in

    def versions(self) -> tuple[MessageTree, int | None]:
        """Every version, and the branch on screen's last number."""
        if self.tree is not None:
            return self.tree, self.current
        tree = MessageTree.chain(self.messages)
        return tree, tree.newest_leaf(None)


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

    def create(self, owner: str, *, title: str, settings: dict[str, Any],
               project_id: str | None = None) -> str:  # fmt: skip
        """A new conversation's id; in ``project_id`` if that is the owner's project."""
        conversation_id = str(uuid.uuid4())
        moment = now()
        with self.engine.begin() as connection:
            if project_id is not None and not owns_project(connection, owner, project_id):
                project_id = None
            connection.execute(
                insert(conversations).values(
                    id=conversation_id,
                    owner=owner,
                    title=title_from(title) or "…",
                    settings=settings,
                    created_at=moment,
                    updated_at=moment,
                    project_id=project_id,
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

    def title(self, conversation_id: str, owner: str) -> str | None:
        """Its title alone (None: not ``owner``'s): a page waiting for the model's asks."""
        query = select(conversations.c.title).where(self._owned(conversation_id, owner))
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()

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
            connection.execute(delete(shares).where(shares.c.conversation_id.in_(owned)))
            connection.execute(delete(conversations).where(self._owned(conversation_id, owner)))

    def list(self, owner: str, *, search: str = "", limit: int | None = None, counted: bool = True,
             project: str | None = EVERY_PROJECT) -> list[ConversationSummary]:  # fmt: skip
        """The owner's conversations, newest first; ``search`` matches titles, and text and
        file names in any version; ``limit``: only the newest that many, every pinned
        one besides; ``counted=False`` leaves the message counts at 0 (the chat list
        shows none); ``project``: only those in that project (None: in none)."""
        return list_conversations(self.engine, owner, search=search, limit=limit,
                                  counted=counted, project=project)  # fmt: skip

    def page(
        self, owner: str, *, search: str = "", offset: int = 0, limit: int = 50
    ) -> HistoryPage:
        """``limit`` of the owner's conversations from ``offset`` on, newest first (past the
        end: the last page), matching ``search`` as ``list`` does, counted, with where
        each matched; only that page is read."""
        return history_page(self.engine, owner, search=search, offset=offset, limit=limit)

    def load(
        self, conversation_id: str, owner: str, *, writing_within: float = 0.0
    ) -> StoredConversation | None:
        """The conversation with every version, or None if it is not ``owner``'s (or
        does not exist).

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
            tree = tree_from(list(rows), files, still_written=live)
        current = head.current if head.current in tree else tree.newest_leaf(None)
        return StoredConversation(
            head.id,
            head.title,
            settings_from(head.settings),
            [tree.message(number) for number in tree.path(current)],
            aware(head.created_at),
            aware(head.updated_at),
            tree,
            current,
            head.project_id,
        )

    # Messages --------------------------------------------------------------------

    def put_message(
        self,
        conversation_id: str,
        owner: str,
        position: int,
        message: ChatMessage,
        *,
        parent: int | str | None = PREVIOUS,
        new: bool = False,
    ) -> int:
        """Store ``message`` as number ``position`` under ``parent``: a ``new`` one, or in
        place of the one there; a new message becomes the last of the branch on screen.

        Where another message already holds that number (another tab wrote it: ``message``
        is ``new``, or that one has another parent or role), it is kept, and ``message``
        takes the next free number. The number it was stored as is returned. The
        conversation's row is updated first: two writers to one conversation take turns
        (its row lock, SQLite's write lock), so the second sees the first's number taken.
        """
        if parent == PREVIOUS:
            parent = position - 1 if position > 0 else None
        values = message_values(message)
        with self.engine.begin() as connection:
            if not self._touch(connection, conversation_id, owner):
                raise PermissionError("no such conversation for this owner")
            here = (messages.c.conversation_id == conversation_id) & (
                messages.c.position == position
            )
            if parent is not None and not self._stored(connection, conversation_id, parent):
                raise MissingMessageError(f"no stored message {parent} to reply to")
            held = connection.execute(select(messages.c.parent, messages.c.role).where(here))
            held = held.first()
            if held is not None and (new or (held.parent, held.role) != (parent, message.role)):
                position = self._next_number(connection, conversation_id)
                held = None
            if message.is_user:  # only questions carry files
                replace_attachments(connection, conversation_id, position, message.attachments)
            if held is not None:
                connection.execute(update(messages).where(here).values(**values))
                return position
            connection.execute(
                insert(messages).values(
                    conversation_id=conversation_id,
                    position=position,
                    parent=parent,
                    created_at=now(),
                    **values,
                )
            )
            connection.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id)
                .values(current=position)
            )
        return position

    @staticmethod
    def _next_number(connection: Connection, conversation_id: str) -> int:
        highest = connection.execute(
            select(func.max(messages.c.position)).where(
                messages.c.conversation_id == conversation_id
            )
        ).scalar()
        return 0 if highest is None else highest + 1

    @staticmethod
    def _stored(connection: Connection, conversation_id: str, number: int) -> bool:
        mine = messages.c.conversation_id == conversation_id
        found = connection.execute(
            select(messages.c.position).where(mine & (messages.c.position == number))
        )
        return found.first() is not None

    def select(self, conversation_id: str, owner: str, number: int) -> None:
        """Show the branch that ends with message ``number`` from now on."""
        with self.engine.begin() as connection:
            mine = connection.execute(
                select(conversations.c.id).where(self._owned(conversation_id, owner))
            )
            if mine.first() is not None and not self._stored(connection, conversation_id, number):
                raise MissingMessageError(f"no stored message {number} to show")
            connection.execute(
                update(conversations)
                .where(self._owned(conversation_id, owner))
                .values(current=number)
            )

    def remove_message(self, conversation_id: str, owner: str, position: int) -> None:
        """Remove a message nothing follows (a failed try, before trying again); the
        branch on screen then ends with the message before it."""
        with self.engine.begin() as connection:
            if not self._touch(connection, conversation_id, owner):
                return
            mine = messages.c.conversation_id == conversation_id
            parent = connection.execute(
                select(messages.c.parent).where(mine & (messages.c.position == position))
            ).first()
            followed = connection.execute(
                select(messages.c.position).where(mine & (messages.c.parent == position))
            ).first()
            if parent is None or followed is not None:
                return
            connection.execute(
                delete(attachments).where(
                    (attachments.c.conversation_id == conversation_id)
                    & (attachments.c.position == position)
                )
            )
            connection.execute(delete(messages).where(mine & (messages.c.position == position)))
            connection.execute(
                update(conversations)
                .where(
                    (conversations.c.id == conversation_id) & (conversations.c.current == position)
                )
                .values(current=parent.parent)
            )

    def import_conversation(self, owner: str, imported: ImportedConversation) -> str | None:
        """Add an imported conversation with every version; None if ``owner`` has it."""
        return store_import(self.engine, owner, imported)

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

    def presets(self, owner: str) -> list[Preset]:
        return list_presets(self.engine, owner)

    def save_preset(self, owner: str, preset: Preset) -> str:
        return store_preset(self.engine, owner, preset)

    def delete_preset(self, owner: str, preset_id: str) -> bool:
        return remove_preset(self.engine, owner, preset_id)

    # Reports ----------------------------------------------------------------------

    def usage_report(self, owner: str | None, zone: tzinfo = UTC) -> list[dict[str, Any]]:
        """Rows of (owner, day in ``zone``, model, answers, input and output tokens); None:
        everyone."""
        return usage_report(self.engine, owner, zone)

    def feedback_report(self, owner: str | None, *, limit: int = 500) -> list[dict[str, Any]]:
        """The latest answers that got thumbs, newest first; None: everyone's."""
        return feedback_report(self.engine, owner, limit=limit)
