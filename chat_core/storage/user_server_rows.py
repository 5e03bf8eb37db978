"""A user's own MCP servers in the store, each with its header's value sealed. Every
function is scoped by owner: none lists, adds or removes another owner's server."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from chat_core.storage.message_rows import now
from chat_core.storage.schema import user_mcp_servers
from chat_core.storage.secret_box import SecretBox

__all__ = ["MAX_USER_SERVERS", "StoredServer", "add_user_server", "list_user_servers",
           "remove_user_server"]  # fmt: skip

MAX_USER_SERVERS = 16  # of one owner


class StoredServer:
    """A row read back: ``header_value`` is None when its seal cannot be opened here."""

    def __init__(self, id: str, name: str, url: str, header_name: str,
                 header_value: str | None) -> None:  # fmt: skip
        self.id, self.name, self.url = id, name, url
        self.header_name, self.header_value = header_name, header_value

    def __repr__(self) -> str:  # never the header's value
        return f"StoredServer({self.name!r}, {self.url!r})"


def list_user_servers(engine: Engine, owner: str, box: SecretBox) -> list[StoredServer]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(user_mcp_servers)
            .where(user_mcp_servers.c.owner == owner)
            .order_by(user_mcp_servers.c.created_at, user_mcp_servers.c.id)
            .limit(MAX_USER_SERVERS)
        ).all()
    return [
        StoredServer(row.id, row.name, row.url, row.header_name,
                     box.open(row.header_secret) if row.header_secret else "")
        for row in rows
    ]  # fmt: skip


def add_user_server(
    engine: Engine,
    owner: str,
    box: SecretBox,
    *,
    name: str,
    url: str,
    header_name: str = "",
    header_value: str = "",
) -> str | None:
    """The new server's id; None when the owner has as many as allowed or one of that name."""
    with engine.begin() as connection:
        names = connection.execute(
            select(user_mcp_servers.c.name).where(user_mcp_servers.c.owner == owner)
        ).scalars().all()  # fmt: skip
        if len(names) >= MAX_USER_SERVERS or name.lower() in {n.lower() for n in names}:
            return None
        server_id = str(uuid.uuid4())
        connection.execute(
            insert(user_mcp_servers).values(
                id=server_id, owner=owner, name=name, url=url, header_name=header_name,
                header_secret=box.seal(header_value) if header_value else "",
                created_at=now(),
            )
        )  # fmt: skip
    return server_id


def remove_user_server(engine: Engine, owner: str, server_id: str) -> bool:
    with engine.begin() as connection:
        gone = connection.execute(
            delete(user_mcp_servers).where(
                (user_mcp_servers.c.id == server_id) & (user_mcp_servers.c.owner == owner)
            )
        )
    return gone.rowcount == 1
