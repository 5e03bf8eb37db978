"""A conversation read from a file, as the store takes it: its messages as a tree of
numbered nodes, its dates and settings, and a fingerprint that finds it imported twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chat_core.conversation.messages import ChatMessage

__all__ = ["ImportedConversation", "ImportedNode"]


@dataclass(frozen=True)
class ImportedNode:
    number: int  # 0.. unique within the conversation, parents before children
    parent: int | None  # None for a first message
    message: ChatMessage


@dataclass(frozen=True)
class ImportedConversation:
    title: str
    created_at: datetime | None  # aware, UTC
    updated_at: datetime | None
    settings: dict[str, Any]  # only from the app's own export; {} otherwise
    nodes: tuple[ImportedNode, ...]
    current: int | None  # the node at the end of the branch to show
    fingerprint: str  # the same conversation imported twice has the same one
    source: str  # "app" or "chatgpt"
    adjusted: tuple[str, ...] = ()  # settings out of range, brought to the nearest bound
