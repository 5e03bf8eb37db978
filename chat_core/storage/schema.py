"""The tables as they are now. Migrations build them step by step; a test checks that a
database built by the migrations has exactly these tables, columns and indexes."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = [
    "attachments",
    "conversations",
    "messages",
    "metadata",
    "owner_choices",
    "presets",
    "projects",
    "schema_version",
    "shares",
    "usage_events",
    "user_mcp_servers",
]

metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner", String(320), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("settings", JSON, nullable=False, default=dict),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, index=True),
    Column("pinned_at", DateTime(timezone=True)),
    Column("current", Integer),  # the number of the branch on screen's last message
    Column("imported_from", String(64)),  # an imported one's fingerprint
    Column("project_id", String(36)),  # the project it is in (None: none)
    Index("conversations_imported", "owner", "imported_from"),
    Index("conversations_project", "owner", "project_id"),
)

messages = Table(
    "messages",
    metadata,
    Column(
        "conversation_id",
        String(36),
        ForeignKey("conversations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # The message's number in its conversation (in order of creation), and the number
    # of the message it follows (None: a first question): every version is kept.
    Column("position", Integer, primary_key=True),
    Column("parent", Integer),
    Column("role", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("error", JSON, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("usage", JSON, nullable=True),
    # SQL NULL (not JSON null) when there is none, so it can be filtered on.
    Column("feedback", JSON(none_as_null=True), nullable=True),
    Column("thinking", JSON, nullable=True),  # a thinking model's thoughts, kept apart
    Column("steps", JSON, nullable=True),  # the tools an answer called, with their results
)

# Files sent with a question: a document's text, an image's bytes.
attachments = Table(
    "attachments",
    metadata,
    Column(
        "conversation_id",
        String(36),
        ForeignKey("conversations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, primary_key=True),  # the message's
    Column("number", Integer, primary_key=True),  # the file's place in that message
    Column("name", String(255), nullable=False),
    Column("kind", String(16), nullable=True),
    Column("mime_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("text", Text, nullable=False, default=""),
    Column("data", LargeBinary, nullable=True),
    Column("problem", JSON, nullable=True),
)

# Shared links: a snapshot of a conversation as it was, found only by its token.
shares = Table(
    "shares",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("owner", String(320), nullable=False, index=True),
    Column("conversation_id", String(36), nullable=False),
    Column("title", String(200), nullable=False),
    Column("snapshot", JSON, nullable=False),
    Column("with_files", Integer, nullable=False),  # 1: the files' contents are in it
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),  # set: the link shows nothing any more
)

# One row per request sent to the model; a pending row holds the request's worst case
# (prompt plus max tokens) until its answer ends.
usage_events = Table(
    "usage_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(320), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("model", String(200), nullable=False),
    Column("input_tokens", Integer, nullable=False),
    Column("output_tokens", Integer, nullable=False),
    Column("estimated", Integer, nullable=False, default=0),
    Column("pending", Integer, nullable=False, default=0),
    Column("reasoning_tokens", Integer, nullable=False, default=0),  # of the output
    Index("usage_events_owner_at", "owner", "at"),
    Index("usage_events_at", "at"),
)

# An owner's presets: a named system prompt with its model settings (chat_core.settings.presets).
presets = Table(
    "presets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner", String(320), nullable=False, index=True),
    Column("name", String(60), nullable=False),
    Column("system_prompt", Text, nullable=False),
    Column("settings", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# What an owner chose once for all their chats (their model): the chat page starts from it.
owner_choices = Table(
    "owner_choices",
    metadata,
    Column("owner", String(320), primary_key=True),
    Column("choices", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# A user's own remote MCP servers (CHAT_MCP_USER_SERVERS); the header's value sealed.
user_mcp_servers = Table(
    "user_mcp_servers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner", String(320), nullable=False, index=True),
    Column("name", String(64), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("header_name", String(128), nullable=False),
    Column("header_secret", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# An owner's projects: conversations grouped with instructions of their own.
projects = Table(
    "projects",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner", String(320), nullable=False, index=True),
    Column("name", String(80), nullable=False),
    Column("instructions", Text, nullable=False),
    Column("settings", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
