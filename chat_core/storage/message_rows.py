"""Rows to the app's types and back: messages and their files (their dicts made by
message_codec, mapped to columns here), settings."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.engine import Connection

from chat_core.conversation.message_codec import STORE, file_dict, file_from, message_dict
from chat_core.conversation.message_codec import message_from as message_from_dict
from chat_core.conversation.messages import ChatMessage
from chat_core.conversation.versions import MessageTree
from chat_core.files.attachments import Attachment
from chat_core.markdown.visitor_text import one_line, shorten
from chat_core.settings.kept import kept_settings
from chat_core.storage.schema import attachments

__all__ = [
    "TITLE_LENGTH",
    "attachment_from",
    "attachment_values",
    "aware",
    "message_from",
    "message_values",
    "now",
    "replace_attachments",
    "settings_from",
    "title_from",
    "tree_from",
]

log = logging.getLogger(__name__)

TITLE_LENGTH = 60


def now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def title_from(text: str) -> str:
    """A conversation's first title: its first message, on one line, shortened."""
    line = one_line(text)
    return shorten(line, TITLE_LENGTH)


def settings_from(value: Any) -> dict[str, Any]:
    """A conversation's settings as stored, each usable by the sidebar: a row written
    before they were checked (a temperature of 5) must not stop the page opening it."""
    settings, adjusted = kept_settings(value if isinstance(value, dict) else {})
    if adjusted:
        log.warning("stored settings out of range, brought inside: %s", ", ".join(adjusted))
    return settings


_MESSAGE_COLUMNS = ("role", "content", "status", "error", "usage", "feedback", "thinking", "steps")
_FILE_COLUMNS = ("name", "kind", "mime_type", "size", "text", "data", "problem")


def attachment_values(attachment: Attachment) -> dict[str, Any]:
    """A file's columns: the codec's dict, every column given (a null when it has none)."""
    values = file_dict(attachment, STORE) | {"name": attachment.name[:255]}
    return {column: values.get(column) for column in _FILE_COLUMNS}


def attachment_from(row: Any) -> Attachment:
    return file_from(row._mapping, STORE)


def message_from(
    row: Any, files: Sequence[Attachment] = (), *, still_written: bool = False
) -> ChatMessage:
    """``still_written``: an answer saved while streaming is being written now (saved
    moments ago); otherwise it reads back as interrupted (see message_codec)."""
    return message_from_dict(row._mapping, STORE, files=files, still_written=still_written)


def message_values(message: ChatMessage) -> dict[str, Any]:
    """A message's columns, every one given, so that an update clears what it no longer has
    (its files are rows of their own: :func:`replace_attachments`)."""
    values = message_dict(message, STORE)
    return {column: values.get(column) for column in _MESSAGE_COLUMNS}


def tree_from(
    rows: list[Any], files: dict[int, list[Attachment]], *, still_written: bool
) -> MessageTree:
    """The stored messages as a tree, each put after its parent whatever their numbers
    (a message renumbered because another tab took its number keeps its replies). A
    reply to a message not stored (saved before that was refused) starts a branch."""
    numbers = {row.position for row in rows}
    waiting: dict[int | None, list[Any]] = {}
    for row in rows:
        waiting.setdefault(row.parent if row.parent in numbers else None, []).append(row)
    tree, parents = MessageTree(), [None]
    while parents:
        for row in waiting.pop(parents.pop(), ()):
            message = message_from(row, files.get(row.position, ()), still_written=still_written)
            tree.put(row.position, message, row.parent if row.parent in numbers else None)
            parents.append(row.position)
    return tree


def replace_attachments(
    connection: Connection, conversation_id: str, position: int, files: Sequence[Attachment]
) -> None:
    """The files of the message at ``position``, in place of any it had."""
    here = (attachments.c.conversation_id == conversation_id) & (attachments.c.position == position)
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
