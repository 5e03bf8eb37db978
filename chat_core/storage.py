"""Conversations that last: SQLAlchemy Core on SQLite (default) or PostgreSQL.

Every call is scoped by owner: no method returns or changes another owner's data.
The schema carries a version (table ``schema_version``); :data:`MIGRATIONS` lists
the steps from each version to the next, applied in order on start.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine

from .attachments import Attachment, AttachmentKind, human_size
from .errors import ErrorKind, UserFacingError
from .messages import ChatMessage, Feedback, Rating, Role, Status
from .usage import Usage

__all__ = [
    "SCHEMA_VERSION",
    "ConversationStore",
    "ConversationSummary",
    "StoredConversation",
    "sqlite_url",
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
)


def _message_columns() -> list[Column]:
    """The columns version 1 created (each table needs its own Column objects)."""
    return [
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
    ]


# The table as version 1 created it (migrations replay history), and as it is now.
_conversations_v1 = conversations.to_metadata(MetaData())
messages_v1 = Table("messages", _conversations_v1.metadata, *_message_columns())
messages = Table(
    "messages",
    metadata,
    *_message_columns(),
    Column("usage", JSON, nullable=True),  # version 2
    # version 3; SQL NULL (not JSON null) when there is none, so it can be filtered on
    Column("feedback", JSON(none_as_null=True), nullable=True),
)

# Files sent with a question (version 3): a document's text, an image's bytes.
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


def _usage_event_columns() -> list[Any]:
    """The columns version 2 created."""
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("owner", String(320), nullable=False),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("model", String(200), nullable=False),
        Column("input_tokens", Integer, nullable=False),
        Column("output_tokens", Integer, nullable=False),
        Column("estimated", Integer, nullable=False, default=0),
        Index("usage_events_owner_at", "owner", "at"),
    ]


# One row per request sent to the model; a pending row holds the request's worst case
# (prompt plus max tokens) until its answer ends (version 4).
usage_events = Table(
    "usage_events",
    metadata,
    *_usage_event_columns(),
    Column("pending", Integer, nullable=False, default=0),
    Index("usage_events_at", "at"),
)
_usage_events_v2 = Table("usage_events", MetaData(), *_usage_event_columns())


def _create_v1(connection: Connection) -> None:
    _conversations_v1.metadata.create_all(connection, tables=[_conversations_v1, messages_v1])


def _usage_v2(connection: Connection) -> None:
    """Version 2: token usage on each answer, and a usage log for limits and reports."""
    connection.execute(text("ALTER TABLE messages ADD COLUMN usage JSON"))
    _usage_events_v2.metadata.create_all(connection, tables=[_usage_events_v2])


def _files_and_feedback_v3(connection: Connection) -> None:
    """Version 3: attached files, and the visitor's feedback on each answer."""
    connection.execute(text("ALTER TABLE messages ADD COLUMN feedback JSON"))
    metadata.create_all(connection, tables=[attachments])


def _ledger_v4(connection: Connection) -> None:
    """Version 4: requests counted when sent (pending) and settled when their answer ends."""
    connection.execute(
        text("ALTER TABLE usage_events ADD COLUMN pending INTEGER NOT NULL DEFAULT 0")
    )
    connection.execute(text("CREATE INDEX usage_events_at ON usage_events (at)"))


# version reached -> step from the version before it
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _create_v1,
    2: _usage_v2,
    3: _files_and_feedback_v3,
    4: _ledger_v4,
}
# PostgreSQL advisory lock keys: one process migrates at a time; one reservation at a time.
MIGRATION_LOCK = 0x63686174_01
LEDGER_LOCK = 0x63686174_02
SCHEMA_VERSION = max(MIGRATIONS)
TITLE_LENGTH = 60


@dataclass(frozen=True)
class ConversationSummary:
    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    message_count: int


@dataclass(frozen=True)
class StoredConversation:
    id: str
    title: str
    settings: dict[str, Any]
    messages: list[ChatMessage]
    created_at: datetime
    updated_at: datetime


def sqlite_url(data_dir: Path) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'conversations.sqlite3'}"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def title_from(text: str) -> str:
    """A conversation's first title: its first message, on one line, shortened."""
    line = " ".join(text.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1] + "…"


def _error_json(error: UserFacingError | None) -> dict[str, Any] | None:
    return None if error is None else {"kind": error.kind.value, "details": error.details}


def _error_from(data: dict[str, Any] | None) -> UserFacingError | None:
    if not data:
        return None
    try:
        return UserFacingError(ErrorKind(data["kind"]), dict(data.get("details") or {}))
    except (KeyError, ValueError):
        return UserFacingError(ErrorKind.UNKNOWN)


def _attachment_values(attachment: Attachment) -> dict[str, Any]:
    return {
        "name": attachment.name[:255],
        "kind": attachment.kind.value if attachment.kind else None,
        "mime_type": attachment.mime_type,
        "size": attachment.size,
        "text": attachment.text,
        "data": attachment.data or None,
        "problem": _error_json(attachment.problem),
    }


def _attachment_from(row: Any) -> Attachment:
    return Attachment(
        name=row.name,
        kind=AttachmentKind(row.kind) if row.kind else None,
        mime_type=row.mime_type,
        size=row.size,
        text=row.text or "",
        data=row.data or b"",
        problem=_error_from(row.problem),
    )


def _message_from(row: Any, files: Sequence[Attachment] = ()) -> ChatMessage:
    status = Status(row.status)
    if status is Status.STREAMING:  # the app stopped while this answer was written
        return ChatMessage(
            role=Role(row.role),
            content=row.content,
            status=Status.FAILED,
            error=UserFacingError(ErrorKind.INTERRUPTED),
        )
    return ChatMessage(
        role=Role(row.role),
        content=row.content,
        status=status,
        error=_error_from(row.error),
        usage=Usage.from_dict(row.usage),
        attachments=tuple(files),
        feedback=Feedback.from_dict(row.feedback),
    )


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite would commit before DDL by itself, so a step killed halfway through
    # left a half-migrated database; SQLAlchemy emits every BEGIN instead (below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")  # writers wait their turn, up to 10 s
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    """BEGIN, or BEGIN IMMEDIATE where a step must read and write with no writer between."""
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def exclusive(connection: Connection) -> Connection:
    """``connection`` whose next SQLite transaction holds the write lock from its start;
    with :func:`take_lock` inside it, one such transaction runs at a time."""
    if connection.dialect.name == "sqlite":
        return connection.execution_options(sqlite_begin="IMMEDIATE")
    return connection


def take_lock(connection: Connection, lock: int) -> None:
    """Inside a transaction: wait for PostgreSQL's advisory lock ``lock`` (SQLite: no-op,
    its BEGIN IMMEDIATE already holds the write lock)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ConversationStore:
    """One shared object per database: holds a connection pool, never a visitor's data."""

    def __init__(self, url: str) -> None:
        options: dict[str, Any] = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            options["connect_args"] = {"timeout": 10, "check_same_thread": False}
        elif url.startswith("postgresql"):
            options["connect_args"] = {"connect_timeout": 5}
        self.engine: Engine = create_engine(url, **options)
        self._file = self.engine.url.database if url.startswith("sqlite") else None
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _on_sqlite_connect)
            event.listen(self.engine, "begin", _on_sqlite_begin)
        self.migrate()
        self._file_id = self._identify_file()

    def _identify_file(self) -> tuple[int, int] | None:
        if not self._file or self._file == ":memory:":
            return None
        try:
            status = os.stat(self._file)
        except OSError:
            return (-1, -1)
        return (status.st_dev, status.st_ino)

    def lost(self) -> bool:
        """Whether the SQLite file was deleted or replaced since it was opened.

        Open connections keep writing into a deleted file, which vanishes with them:
        without this check every later save would seem to succeed and be lost.
        """
        return self._file_id is not None and self._identify_file() != self._file_id

    def migrate(self) -> None:
        """Create the tables on first start, or bring an older schema up to date.

        One transaction under a lock: processes starting together wait for each
        other, and a process killed inside a step leaves the database as it was.
        """
        with self.engine.connect() as plain:
            connection = exclusive(plain)
            with connection.begin():
                take_lock(connection, MIGRATION_LOCK)
                metadata.create_all(connection, tables=[schema_version])
                current = connection.execute(select(func.max(schema_version.c.version))).scalar()
                for version in range((current or 0) + 1, SCHEMA_VERSION + 1):
                    MIGRATIONS[version](connection)
                    connection.execute(insert(schema_version).values(version=version))

    def version(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(select(func.max(schema_version.c.version))).scalar() or 0

    # Conversations ---------------------------------------------------------------

    def create(self, owner: str, *, title: str, settings: dict[str, Any]) -> str:
        conversation_id = str(uuid.uuid4())
        now = _now()
        with self.engine.begin() as connection:
            connection.execute(
                insert(conversations).values(
                    id=conversation_id,
                    owner=owner,
                    title=title_from(title) or "…",
                    settings=settings,
                    created_at=now,
                    updated_at=now,
                )
            )
        return conversation_id

    def _owned(self, conversation_id: str, owner: str):
        return (conversations.c.id == conversation_id) & (conversations.c.owner == owner)

    def _touch(self, connection: Connection, conversation_id: str, owner: str) -> bool:
        result = connection.execute(
            update(conversations)
            .where(self._owned(conversation_id, owner))
            .values(updated_at=_now())
        )
        return result.rowcount == 1

    def rename(self, conversation_id: str, owner: str, title: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(conversations)
                .where(self._owned(conversation_id, owner))
                .values(title=title.strip()[:200] or "…")
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

    def list(self, owner: str, *, search: str = "") -> list[ConversationSummary]:
        """The owner's conversations, newest first; ``search`` matches titles, text, file names."""
        count = (
            select(func.count())
            .where(messages.c.conversation_id == conversations.c.id)
            .scalar_subquery()
        )
        query = select(
            conversations.c.id,
            conversations.c.title,
            conversations.c.created_at,
            conversations.c.updated_at,
            count,
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
        with self.engine.connect() as connection:
            return [
                ConversationSummary(row[0], row[1], _aware(row[2]), _aware(row[3]), row[4])
                for row in connection.execute(query)
            ]

    def load(self, conversation_id: str, owner: str) -> StoredConversation | None:
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
                files.setdefault(row.position, []).append(_attachment_from(row))
            rows = connection.execute(
                select(messages)
                .where(messages.c.conversation_id == conversation_id)
                .order_by(messages.c.position)
            )
            loaded = [_message_from(row, files.get(row.position, ())) for row in rows]
        return StoredConversation(
            head.id,
            head.title,
            dict(head.settings or {}),
            loaded,
            _aware(head.created_at),
            _aware(head.updated_at),
        )

    # Messages --------------------------------------------------------------------

    def put_message(
        self, conversation_id: str, owner: str, position: int, message: ChatMessage
    ) -> None:
        """Store ``message`` at ``position`` (0-based), replacing what was there."""
        values = {
            "role": message.role.value,
            "content": message.content,
            "status": message.status.value,
            "error": _error_json(message.error),
            "usage": message.usage.as_dict() if message.usage else None,
            "feedback": message.feedback.as_dict() if message.feedback else None,
        }
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
                        created_at=_now(),
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
                        **_attachment_values(file),
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

    # Usage ------------------------------------------------------------------------

    def usage_report(self, owner: str | None) -> list[dict[str, Any]]:
        """Rows of (owner, day, model, answers, input and output tokens); None: everyone."""
        day = func.date(usage_events.c.at)
        query = select(
            usage_events.c.owner,
            day.label("day"),
            usage_events.c.model,
            func.count().label("answers"),
            func.sum(usage_events.c.input_tokens).label("input_tokens"),
            func.sum(usage_events.c.output_tokens).label("output_tokens"),
        ).group_by(usage_events.c.owner, day, usage_events.c.model)
        query = query.where(usage_events.c.pending == 0)  # answers still being written wait
        if owner is not None:
            query = query.where(usage_events.c.owner == owner)
        with self.engine.connect() as connection:
            return [
                {**row._asdict(), "day": str(row.day)}
                for row in connection.execute(query.order_by(day, usage_events.c.model))
            ]

    # Feedback ---------------------------------------------------------------------

    def feedback_report(self, owner: str | None, *, limit: int = 500) -> list[dict[str, Any]]:
        """The latest answers that got thumbs, newest first; None: everyone's.

        Each row: owner, conversation id and title, when the answer was written, the
        rating ("up" / "down"), the comment, and the answer's opening.
        """
        query = (
            select(
                conversations.c.owner,
                conversations.c.id,
                conversations.c.title,
                messages.c.created_at,
                messages.c.content,
                messages.c.feedback,
            )
            .join(conversations, conversations.c.id == messages.c.conversation_id)
            .where(messages.c.feedback.is_not(None))
            .order_by(messages.c.created_at.desc())
            .limit(limit)
        )
        if owner is not None:
            query = query.where(conversations.c.owner == owner)
        rows = []
        with self.engine.connect() as connection:
            for row in connection.execute(query):
                feedback = Feedback.from_dict(row.feedback)
                if feedback is None:  # a JSON null, or a value this version cannot read
                    continue
                rows.append(
                    {
                        "owner": row.owner,
                        "conversation_id": row.id,
                        "title": row.title,
                        "at": _aware(row.created_at),
                        "rating": feedback.rating.value,
                        "comment": feedback.comment,
                        "answer": title_from(row.content),
                    }
                )
        return rows


def _attachment_json(attachment: Attachment) -> dict[str, Any]:
    """A file as exported: its name, type and size, a document's text; never image bytes."""
    described = {
        "name": attachment.name,
        "kind": attachment.kind.value if attachment.kind else None,
        "mime_type": attachment.mime_type,
        "size": attachment.size,
    }
    if attachment.text:
        described["text"] = attachment.text
    if attachment.problem:
        described["problem"] = _error_json(attachment.problem)
    return described


def _message_json(message: ChatMessage) -> dict[str, Any]:
    described: dict[str, Any] = {
        "role": message.role.value,
        "content": message.content,
        "status": message.status.value,
    }
    if message.error:
        described["error"] = _error_json(message.error)
    if message.usage:
        described["usage"] = message.usage.as_dict()
    if message.attachments:
        described["attachments"] = [_attachment_json(a) for a in message.attachments]
    if message.feedback:
        described["feedback"] = message.feedback.as_dict()
    return described


def export_json(conversation: StoredConversation) -> str:
    payload = {
        "id": conversation.id,
        "title": conversation.title,
        "created_at": conversation.created_at.isoformat(),
        "updated_at": conversation.updated_at.isoformat(),
        "settings": conversation.settings,
        "messages": [_message_json(m) for m in conversation.messages],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


def export_markdown(conversation: StoredConversation, *, labels: dict[str, str]) -> str:
    """The conversation as Markdown; ``labels`` names the roles and marks in one language.

    ``labels`` has the roles and statuses by value, and "not_sent" and "feedback".
    """
    parts = [f"# {conversation.title}", ""]
    for message in conversation.messages:
        parts.append(f"## {labels[message.role.value]}")
        parts.append("")
        parts.append(message.content)
        for attachment in message.attachments:
            sent = "" if attachment.sent else f" ({labels['not_sent']})"
            parts.append(f"\n📎 {attachment.name}, {human_size(attachment.size)}{sent}")
        if message.status is not Status.COMPLETE:
            parts.append("")
            parts.append(f"_({labels[message.status.value]})_")
        if message.feedback is not None:
            thumb = "👍" if message.feedback.rating is Rating.UP else "👎"
            comment = f" {message.feedback.comment}" if message.feedback.comment else ""
            parts.append(f"\n{labels['feedback']}: {thumb}{comment}")
        parts.append("")
    return "\n".join(parts)


def stored_settings(values: dict[str, Any], keep: Sequence[str]) -> dict[str, Any]:
    """Only the named, non-secret settings, for storing with a conversation."""
    return {name: values[name] for name in keep if values.get(name) is not None}
