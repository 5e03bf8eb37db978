"""Imported conversations into the store: every version, in one transaction, once."""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from chat_core.conversation.imported import ImportedConversation
from chat_core.storage.engine import IMPORT_LOCK, exclusive, take_lock
from chat_core.storage.message_rows import attachment_values, message_values, now, title_from
from chat_core.storage.schema import attachments, conversations, messages

__all__ = ["store_import"]

# A busy database (another writer held it past the busy timeout, a PostgreSQL deadlock)
# is tried again after these pauses, in seconds; the transaction is all or nothing and
# the fingerprint check makes a second try add nothing twice.
RETRY_PAUSES = (0.5, 2.0)


def store_import(engine: Engine, owner: str, imported: ImportedConversation) -> str | None:
    """Store ``imported`` as one of ``owner``'s conversations: its id, or None when the
    owner has it already (imported before: the same fingerprint). Raises the database's
    error when it stayed busy through every try."""
    for pause in RETRY_PAUSES:
        try:
            return _store_once(engine, owner, imported)
        except OperationalError:
            time.sleep(pause)
    return _store_once(engine, owner, imported)


def _store_once(engine: Engine, owner: str, imported: ImportedConversation) -> str | None:
    """One try. The write lock is taken before the fingerprint is read: a SQLite read
    turned write fails at once with "database is locked" when another writer committed
    meanwhile (its busy timeout does not apply), and two imports of one file at once
    would both find nothing."""
    with engine.connect() as plain:
        connection = exclusive(plain)
        with connection.begin():
            take_lock(connection, IMPORT_LOCK)
            if _known(connection, owner, imported.fingerprint):
                return None
            return _insert(connection, owner, imported)


def _known(connection: Connection, owner: str, fingerprint: str) -> bool:
    found = connection.execute(
        select(conversations.c.id).where(
            (conversations.c.owner == owner) & (conversations.c.imported_from == fingerprint)
        )
    ).first()
    return found is not None


def _insert(connection: Connection, owner: str, imported: ImportedConversation) -> str:
    moment = now()
    conversation_id = str(uuid.uuid4())
    connection.execute(
        insert(conversations).values(
            id=conversation_id,
            owner=owner,
            title=title_from(imported.title) or "…",
            settings=imported.settings,
            created_at=imported.created_at or moment,
            updated_at=imported.updated_at or imported.created_at or moment,
            current=imported.current,
            imported_from=imported.fingerprint,
        )
    )
    rows = [
        {
            "conversation_id": conversation_id,
            "position": node.number,
            "parent": node.parent,
            "created_at": imported.created_at or moment,
            **message_values(node.message),
        }
        for node in imported.nodes
    ]
    if rows:
        connection.execute(insert(messages), rows)
    if files := _files(conversation_id, imported):
        connection.execute(insert(attachments), files)
    return conversation_id


def _files(conversation_id: str, imported: ImportedConversation) -> list[dict[str, Any]]:
    return [
        {
            "conversation_id": conversation_id,
            "position": node.number,
            "number": index,
            **attachment_values(file),
        }
        for node in imported.nodes
        for index, file in enumerate(node.message.attachments)
    ]
