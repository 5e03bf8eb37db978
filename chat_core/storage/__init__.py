"""Conversations, usage and reports in SQLite (default) or PostgreSQL.

``schema`` has the tables as they are; ``migrations`` the steps that build them;
``engine`` the connection and locking; ``store`` conversations and every version of
their messages; ``listing`` the list of them, searched;
``usage_log`` the ledger of requests behind the limits; ``reports`` and ``exports``
what the pages show and download; ``owner_choices`` what an owner chose for all their
chats.
"""

from __future__ import annotations

from .engine import sqlite_url
from .exports import export_json, export_markdown, export_name
from .listing import ConversationSummary
from .migrations import SCHEMA_VERSION
from .rows import title_from
from .store import ConversationStore, StoredConversation
from .usage_log import SqlLedger

__all__ = [
    "SCHEMA_VERSION",
    "ConversationStore",
    "ConversationSummary",
    "SqlLedger",
    "StoredConversation",
    "export_json",
    "export_markdown",
    "export_name",
    "sqlite_url",
    "title_from",
]
