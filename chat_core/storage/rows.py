"""Rows to the app's types and back: messages, their files, their errors, settings."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.engine import Connection

from ..attachments import Attachment, AttachmentKind
from ..errors import ErrorKind, UserFacingError
from ..kept_settings import kept_settings
from ..messages import ChatMessage, Feedback, Role, Status, Thinking
from ..text import one_line, shorten
from ..tokens import Usage
from ..tree import MessageTree
from .schema import attachments

__all__ = [
    "TITLE_LENGTH",
    "attachment_from",
    "attachment_values",
    "aware",
    "error_from",
    "error_json",
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


def error_json(error: UserFacingError | None) -> dict[str, Any] | None:
    return None if error is None else {"kind": error.kind.value, "details": error.details}


def error_from(data: dict[str, Any] | None) -> UserFacingError | None:
    if not data:
        return None
    try:
        return UserFacingError(ErrorKind(data["kind"]), dict(data.get("details") or {}))
    except (KeyError, ValueError):
        return UserFacingError(ErrorKind.UNKNOWN)


def attachment_values(attachment: Attachment) -> dict[str, Any]:
    return {
        "name": attachment.name[:255],
        "kind": attachment.kind.value if attachment.kind else None,
        "mime_type": attachment.mime_type,
        "size": attachment.size,
        "text": attachment.text,
        "data": attachment.data or None,
        "problem": error_json(attachment.problem),
    }


def attachment_from(row: Any) -> Attachment:
    return Attachment(
        name=row.name,
        kind=AttachmentKind(row.kind) if row.kind else None,
        mime_type=row.mime_type,
        size=row.size,
        text=row.text or "",
        data=row.data or b"",
        problem=error_from(row.problem),
    )


def message_from(
    row: Any, files: Sequence[Attachment] = (), *, still_written: bool = False
) -> ChatMessage:
    """``still_written``: an answer saved while streaming is being written now (saved
    moments ago); otherwise the app stopped while it was written."""
    status = Status(row.status)
    if status is Status.STREAMING and not still_written:
        return ChatMessage(
            role=Role(row.role),
            content=row.content,
            status=Status.FAILED,
            error=UserFacingError(ErrorKind.INTERRUPTED),
            thinking=Thinking.from_dict(row.thinking),
        )
    return ChatMessage(
        role=Role(row.role),
        content=row.content,
        status=status,
        error=error_from(row.error),
        usage=Usage.from_dict(row.usage),
        attachments=tuple(files),
        feedback=Feedback.from_dict(row.feedback),
        thinking=Thinking.from_dict(row.thinking),
    )


def message_values(message: ChatMessage) -> dict[str, Any]:
    return {
        "role": message.role.value,
        "content": message.content,
        "status": message.status.value,
        "error": error_json(message.error),
        "usage": message.usage.as_dict() if message.usage else None,
        "feedback": message.feedback.as_dict() if message.feedback else None,
        "thinking": message.thinking.as_dict() if message.thinking else None,
    }


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
