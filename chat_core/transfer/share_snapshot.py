"""Shared links: a read-only snapshot of a conversation's branch on screen, as it was
when shared, at an unguessable address.

A snapshot holds the messages and nothing of the owner: no identity, no feedback, no
usage, and no file's contents unless the owner chose to include them (then bounded by
SNAPSHOT_LIMIT_BYTES, as every visitor of the link loads all of it): message_codec's
SHARE and SHARE_WITH_FILES policies.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from typing import Any

from chat_core.conversation.message_codec import SHARE, SHARE_WITH_FILES, message_dict, message_from
from chat_core.conversation.messages import ChatMessage

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


def snapshot(messages: Sequence[ChatMessage], *, include_files: bool) -> dict[str, Any]:
    """What a link shows of ``messages``; raises SnapshotTooLarge past the limit. An answer
    still being written is kept as it is, and read back cut off there (interrupted)."""
    policy = SHARE_WITH_FILES if include_files else SHARE
    shared = {"version": 1, "messages": [message_dict(m, policy) for m in messages]}
    if len(json.dumps(shared, ensure_ascii=False).encode()) > SNAPSHOT_LIMIT_BYTES:
        raise SnapshotTooLarge
    return shared


def read_snapshot(shared: dict[str, Any]) -> list[ChatMessage]:
    """The messages a link shows (as written by :func:`snapshot`, with or without files:
    a file shared without its contents has no text, and reads back not shared)."""
    return [message_from(item, SHARE_WITH_FILES) for item in shared.get("messages") or ()]
