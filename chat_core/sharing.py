"""Shared links: a read-only snapshot of a conversation's branch on screen, as it was
when shared, at an unguessable address.

A snapshot holds the messages and nothing of the owner: no identity, no feedback, no
usage, and no file's contents unless the owner chose to include them (then bounded by
SNAPSHOT_LIMIT_BYTES, as every visitor of the link loads all of it).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .attachments import Attachment, AttachmentKind
from .errors import ErrorKind, UserFacingError
from .messages import ChatMessage, Role, Status, Thinking
from .storage.rows import error_from

__all__ = [
    "LINKS_PER_OWNER",
    "SNAPSHOT_LIMIT_BYTES",
    "SnapshotTooLarge",
    "new_token",
    "read_snapshot",
    "snapshot",
]

SNAPSHOT_LIMIT_BYTES = 20_000_000
LINKS_PER_OWNER = 100  # live links: each holds a snapshot of up to SNAPSHOT_LIMIT_BYTES
_TOKEN_BYTES = 24  # 192 random bits: found by nobody who was not given the link


class SnapshotTooLarge(Exception):  # noqa: N818 - a refusal the page explains
    """The conversation with its files is over SNAPSHOT_LIMIT_BYTES."""


def new_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def _file(attachment: Attachment, include_files: bool) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": attachment.name,
        "kind": attachment.kind.value if attachment.kind else None,
        "mime_type": attachment.mime_type,
        "size": attachment.size,
    }
    if attachment.problem is not None:
        described["problem"] = {"kind": attachment.problem.kind.value}
    elif include_files:
        described["text"] = attachment.text
        if attachment.data:
            described["data"] = base64.b64encode(attachment.data).decode("ascii")
    return described


def _message(message: ChatMessage, include_files: bool) -> dict[str, Any]:
    if message.status is Status.STREAMING:  # still being written: shared as cut off there
        message = replace(
            message, status=Status.FAILED, error=UserFacingError(ErrorKind.INTERRUPTED)
        )
    described: dict[str, Any] = {
        "role": message.role.value,
        "content": message.content,
        "status": message.status.value,
    }
    if message.error is not None:  # its kind only: no server, model or limits of the owner
        described["error"] = {"kind": message.error.kind.value}
    if message.thinking is not None:
        described["thinking"] = message.thinking.as_dict()
    if message.attachments:
        described["attachments"] = [_file(a, include_files) for a in message.attachments]
    return described


def snapshot(messages: Sequence[ChatMessage], *, include_files: bool) -> dict[str, Any]:
    """What a link shows of ``messages``; raises SnapshotTooLarge past the limit."""
    shared = {"version": 1, "messages": [_message(m, include_files) for m in messages]}
    if len(json.dumps(shared, ensure_ascii=False).encode()) > SNAPSHOT_LIMIT_BYTES:
        raise SnapshotTooLarge
    return shared


def _read_file(data: dict[str, Any]) -> Attachment:
    kind = data.get("kind")
    problem = error_from(data.get("problem"))
    content = b""
    if problem is None and "text" not in data:
        problem = UserFacingError(ErrorKind.FILE_NOT_SHARED, {"name": str(data.get("name"))})
    elif problem is None and data.get("data"):
        try:
            content = base64.b64decode(data["data"], validate=True)
        except (binascii.Error, ValueError, TypeError):
            problem = UserFacingError(ErrorKind.FILE_UNREADABLE)
    return Attachment(
        name=str(data.get("name") or ""),
        kind=AttachmentKind(kind) if kind in tuple(AttachmentKind) else None,
        mime_type=str(data.get("mime_type") or "application/octet-stream"),
        size=int(data.get("size") or 0),
        text=str(data.get("text") or ""),
        data=content,
        problem=problem,
    )


def read_snapshot(shared: dict[str, Any]) -> list[ChatMessage]:
    """The messages a link shows (as written by :func:`snapshot`)."""
    return [
        ChatMessage(
            role=Role(item["role"]),
            content=str(item.get("content") or ""),
            status=Status(item.get("status", Status.COMPLETE.value)),
            error=error_from(item.get("error")),
            thinking=Thinking.from_dict(item.get("thinking")),
            attachments=tuple(_read_file(f) for f in item.get("attachments") or ()),
        )
        for item in shared.get("messages") or ()
    ]
