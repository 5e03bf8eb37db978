"""Shared links in the store: made and revoked by their owner, read by anyone with the
token (a revoked or unknown token reads as nothing, alike)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from chat_core.storage.message_rows import aware, now, title_from
from chat_core.storage.schema import shares

__all__ = [
    "SharedLink",
    "SharedSnapshot",
    "create_share",
    "list_shares",
    "revoke_share",
    "shared",
]


@dataclass(frozen=True)
class SharedLink:
    """One of an owner's links, as the owner lists them."""

    token: str
    conversation_id: str
    title: str
    with_files: bool
    created_at: datetime


@dataclass(frozen=True)
class SharedSnapshot:
    """What a link shows: no owner, only the title and the snapshot."""

    title: str
    snapshot: dict[str, Any]
    created_at: datetime


def create_share(
    engine: Engine,
    owner: str,
    *,
    token: str,
    conversation_id: str,
    title: str,
    snapshot: dict[str, Any],
    with_files: bool,
) -> None:
    with engine.begin() as connection:
        connection.execute(
            shares.insert().values(
                token=token,
                owner=owner,
                conversation_id=conversation_id,
                title=title_from(title) or "…",
                snapshot=snapshot,
                with_files=int(with_files),
                created_at=now(),
            )
        )


def list_shares(engine: Engine, owner: str, conversation_id: str | None = None) -> list[SharedLink]:
    """The owner's live links, newest first (of one conversation, if given)."""
    query = select(
        shares.c.token,
        shares.c.conversation_id,
        shares.c.title,
        shares.c.with_files,
        shares.c.created_at,
    ).where((shares.c.owner == owner) & shares.c.revoked_at.is_(None))
    if conversation_id is not None:
        query = query.where(shares.c.conversation_id == conversation_id)
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(shares.c.created_at.desc()))
        return [
            SharedLink(
                row.token,
                row.conversation_id,
                row.title,
                bool(row.with_files),
                aware(row.created_at),
            )
            for row in rows
        ]


def revoke_share(engine: Engine, owner: str, token: str) -> bool:
    """Revoke the owner's link ``token``: from now on it shows nothing. False: not theirs."""
    with engine.begin() as connection:
        result = connection.execute(
            update(shares)
            .where((shares.c.token == token) & (shares.c.owner == owner))
            .values(revoked_at=now(), snapshot={})
        )
    return result.rowcount == 1


def shared(engine: Engine, token: str) -> SharedSnapshot | None:
    """What link ``token`` shows; None when it is unknown or revoked."""
    with engine.connect() as connection:
        row = connection.execute(
            select(shares.c.title, shares.c.snapshot, shares.c.created_at).where(
                (shares.c.token == token) & shares.c.revoked_at.is_(None)
            )
        ).first()
    return None if row is None else SharedSnapshot(row.title, row.snapshot, aware(row.created_at))
