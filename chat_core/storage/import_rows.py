"""Imported conversations into the store: every version, in one transaction, once."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from .import_files import ImportedConversation
from .rows import attachment_values, message_values, now, title_from
from .schema import attachments, conversations, messages

__all__ = ["store_import"]


def store_import(engine: Engine, owner: str, imported: ImportedConversation) -> str | None:
    """Store ``imported`` as one of ``owner``'s conversations: its id, or None when the
    owner has it already (imported before: the same fingerprint)."""
    moment = now()
    conversation_id = str(uuid.uuid4())
    with engine.begin() as connection:
        known = connection.execute(
            select(conversations.c.id).where(
                (conversations.c.owner == owner)
                & (conversations.c.imported_from == imported.fingerprint)
            )
        ).first()
        if known is not None:
            return None
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
        files = [
            {
                "conversation_id": conversation_id,
                "position": node.number,
                "number": index,
                **attachment_values(file),
            }
            for node in imported.nodes
            for index, file in enumerate(node.message.attachments)
        ]
        if files:
            connection.execute(insert(attachments), files)
    return conversation_id
