"""Schema versions: each step creates exactly what it created when it was written.

A step never uses today's table objects (``schema.py``), so a later change to a table
cannot make a database built step by step differ from one upgraded from an old version.
Steps run in one transaction under a lock (SQLite's write lock, a PostgreSQL advisory
lock): processes starting together wait for each other, and a process killed inside a
step leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Callable

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
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine

from chat_core.storage.engine import MIGRATION_LOCK, exclusive, take_lock
from chat_core.storage.schema import schema_version

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate", "version"]


def _create_v1(connection: Connection) -> None:
    """Version 1: conversations and their messages."""
    tables = MetaData()
    Table(
        "conversations",
        tables,
        Column("id", String(36), primary_key=True),
        Column("owner", String(320), nullable=False, index=True),
        Column("title", String(200), nullable=False),
        Column("settings", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False, index=True),
    )
    Table(
        "messages",
        tables,
        Column(
            "conversation_id",
            String(36),
            ForeignKey("conversations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column("position", Integer, primary_key=True),
        Column("role", String(16), nullable=False),
        Column("content", Text, nullable=False),
        Column("status", String(16), nullable=False),
        Column("error", JSON, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    tables.create_all(connection)


def _usage_v2(connection: Connection) -> None:
    """Version 2: token usage on each answer, and a usage log for limits and reports."""
    connection.execute(text("ALTER TABLE messages ADD COLUMN usage JSON"))
    tables = MetaData()
    Table(
        "usage_events",
        tables,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("owner", String(320), nullable=False),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("model", String(200), nullable=False),
        Column("input_tokens", Integer, nullable=False),
        Column("output_tokens", Integer, nullable=False),
        Column("estimated", Integer, nullable=False),
        Index("usage_events_owner_at", "owner", "at"),
    )
    tables.create_all(connection)


def _files_and_feedback_v3(connection: Connection) -> None:
    """Version 3: attached files, and the visitor's feedback on each answer."""
    connection.execute(text("ALTER TABLE messages ADD COLUMN feedback JSON"))
    tables = MetaData()
    Table("conversations", tables, Column("id", String(36), primary_key=True))
    Table(
        "attachments",
        tables,
        Column(
            "conversation_id",
            String(36),
            ForeignKey("conversations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column("position", Integer, primary_key=True),
        Column("number", Integer, primary_key=True),
        Column("name", String(255), nullable=False),
        Column("kind", String(16), nullable=True),
        Column("mime_type", String(100), nullable=False),
        Column("size", Integer, nullable=False),
        Column("text", Text, nullable=False),
        Column("data", LargeBinary, nullable=True),
        Column("problem", JSON, nullable=True),
    )
    tables.create_all(connection, tables=[tables.tables["attachments"]])


def _ledger_v4(connection: Connection) -> None:
    """Version 4: requests counted when sent (pending) and settled when their answer ends."""
    connection.execute(
        text("ALTER TABLE usage_events ADD COLUMN pending INTEGER NOT NULL DEFAULT 0")
    )
    connection.execute(text("CREATE INDEX usage_events_at ON usage_events (at)"))


def _thinking_v5(connection: Connection) -> None:
    """Version 5: a thinking model's thoughts, kept apart from its answer."""
    connection.execute(text("ALTER TABLE messages ADD COLUMN thinking JSON"))


def _reasoning_tokens_v6(connection: Connection) -> None:
    """Version 6: how many of a request's output tokens went to thinking."""
    connection.execute(
        text("ALTER TABLE usage_events ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0")
    )


def _pinned_v7(connection: Connection) -> None:
    """Version 7: a conversation pinned to the top of the chat list, and since when."""
    moment = DateTime(timezone=True).compile(dialect=connection.dialect)
    connection.execute(text(f"ALTER TABLE conversations ADD COLUMN pinned_at {moment}"))


def _versions_v8(connection: Connection) -> None:
    """Version 8: every version of a conversation kept as a tree. A message's position
    becomes its number, ``parent`` the number it answers or follows, and the
    conversation's ``current`` the last message of the branch on screen; a conversation
    from before is one branch, each message the child of the one before it."""
    connection.execute(text("ALTER TABLE messages ADD COLUMN parent INTEGER"))
    connection.execute(text("ALTER TABLE conversations ADD COLUMN current INTEGER"))
    connection.execute(  # the message before it (a failed save may have left a gap)
        text(
            "UPDATE messages SET parent = (SELECT MAX(m.position) FROM messages m"
            " WHERE m.conversation_id = messages.conversation_id"
            " AND m.position < messages.position)"
        )
    )
    connection.execute(
        text(
            "UPDATE conversations SET current = (SELECT MAX(m.position) FROM messages m"
            " WHERE m.conversation_id = conversations.id)"
        )
    )


def _imports_v9(connection: Connection) -> None:
    """Version 9: where an imported conversation came from (a fingerprint of it), so
    the same file imported twice adds nothing the second time."""
    connection.execute(text("ALTER TABLE conversations ADD COLUMN imported_from VARCHAR(64)"))
    connection.execute(
        text("CREATE INDEX conversations_imported ON conversations (owner, imported_from)")
    )


def _presets_v10(connection: Connection) -> None:
    """Version 10: an owner's presets, each a named system prompt with its settings."""
    tables = MetaData()
    Table(
        "presets",
        tables,
        Column("id", String(36), primary_key=True),
        Column("owner", String(320), nullable=False, index=True),
        Column("name", String(60), nullable=False),
        Column("system_prompt", Text, nullable=False),
        Column("settings", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )
    tables.create_all(connection)


def _shares_v11(connection: Connection) -> None:
    """Version 11: shared links, each a read-only snapshot at an unguessable token."""
    tables = MetaData()
    Table(
        "shares",
        tables,
        Column("token", String(64), primary_key=True),
        Column("owner", String(320), nullable=False, index=True),
        Column("conversation_id", String(36), nullable=False),
        Column("title", String(200), nullable=False),
        Column("snapshot", JSON, nullable=False),
        Column("with_files", Integer, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("revoked_at", DateTime(timezone=True)),
    )
    tables.create_all(connection)


def _owner_choices_v12(connection: Connection) -> None:
    """Version 12: what an owner chose for all their chats (the model), one row each."""
    tables = MetaData()
    Table(
        "owner_choices",
        tables,
        Column("owner", String(320), primary_key=True),
        Column("choices", JSON, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )
    tables.create_all(connection)


def _tool_steps_v13(connection: Connection) -> None:
    """Version 13: the tools an answer called, their arguments and results."""
    connection.execute(text("ALTER TABLE messages ADD COLUMN steps JSON"))


def _user_servers_v14(connection: Connection) -> None:
    """Version 14: a user's own remote MCP servers, each header's value sealed."""
    tables = MetaData()
    Table(
        "user_mcp_servers",
        tables,
        Column("id", String(36), primary_key=True),
        Column("owner", String(320), nullable=False, index=True),
        Column("name", String(64), nullable=False),
        Column("url", String(2000), nullable=False),
        Column("header_name", String(128), nullable=False),
        Column("header_secret", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    tables.create_all(connection)


def _projects_v15(connection: Connection) -> None:
    """Version 15: projects, and the project a conversation is in."""
    tables = MetaData()
    Table(
        "projects",
        tables,
        Column("id", String(36), primary_key=True),
        Column("owner", String(320), nullable=False, index=True),
        Column("name", String(80), nullable=False),
        Column("instructions", Text, nullable=False),
        Column("settings", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )
    tables.create_all(connection)
    connection.execute(text("ALTER TABLE conversations ADD COLUMN project_id VARCHAR(36)"))
    connection.execute(
        text("CREATE INDEX conversations_project ON conversations (owner, project_id)")
    )


# version reached -> step from the version before it
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _create_v1,
    2: _usage_v2,
    3: _files_and_feedback_v3,
    4: _ledger_v4,
    5: _thinking_v5,
    6: _reasoning_tokens_v6,
    7: _pinned_v7,
    8: _versions_v8,
    9: _imports_v9,
    10: _presets_v10,
    11: _shares_v11,
    12: _owner_choices_v12,
    13: _tool_steps_v13,
    14: _user_servers_v14,
    15: _projects_v15,
}
SCHEMA_VERSION = max(MIGRATIONS)


def migrate(engine: Engine) -> None:
    """Create the tables on first start, or bring an older schema up to date."""
    with engine.connect() as plain:
        connection = exclusive(plain)
        with connection.begin():
            take_lock(connection, MIGRATION_LOCK)
            schema_version.create(connection, checkfirst=True)
            current = connection.execute(select(func.max(schema_version.c.version))).scalar()
            for step in range((current or 0) + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[step](connection)
                connection.execute(insert(schema_version).values(version=step))


def version(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.max(schema_version.c.version))).scalar() or 0
