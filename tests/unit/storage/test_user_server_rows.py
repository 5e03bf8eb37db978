"""A user's own MCP servers in the store (SQLite and PostgreSQL): scoped by owner,
bounded, each header's value sealed so the database alone does not give it away."""

from __future__ import annotations

import stat

from sqlalchemy import select

from chat_core.storage.schema import user_mcp_servers
from chat_core.storage.secret_box import SecretBox
from chat_core.storage.user_server_rows import (
    MAX_USER_SERVERS,
    add_user_server,
    list_user_servers,
    remove_user_server,
)

TOKEN = "Bearer test-token-not-real"


def test_a_server_is_kept_for_its_owner_only_with_its_header_sealed(store, owner):
    box = SecretBox("test-secret-key-not-real")
    added = add_user_server(store.engine, owner, box, name="tickets",
                            url="https://mcp.example.com/mcp", header_name="Authorization",
                            header_value=TOKEN)  # fmt: skip
    (kept,) = list_user_servers(store.engine, owner, box)
    assert (kept.id, kept.name, kept.url, kept.header_name) == (
        added, "tickets", "https://mcp.example.com/mcp", "Authorization")  # fmt: skip
    assert kept.header_value == TOKEN and TOKEN not in repr(kept)
    with store.engine.connect() as connection:
        sealed = connection.execute(
            select(user_mcp_servers.c.header_secret).where(user_mcp_servers.c.id == added)
        ).scalar_one()
    assert "test-token" not in sealed
    assert list_user_servers(store.engine, f"{owner}-other", box) == []
    assert not remove_user_server(store.engine, f"{owner}-other", added)
    assert remove_user_server(store.engine, owner, added)
    assert list_user_servers(store.engine, owner, box) == []


def test_names_are_the_owners_own_and_the_count_is_bounded(store, owner):
    box = SecretBox("k" * 16)
    assert add_user_server(store.engine, owner, box, name="a", url="https://a.example/mcp")
    assert add_user_server(store.engine, owner, box, name="A", url="https://b.example/mcp") is None
    for n in range(1, MAX_USER_SERVERS):
        assert add_user_server(store.engine, owner, box, name=f"s{n}", url="https://c.example/")
    assert (
        add_user_server(store.engine, owner, box, name="one-more", url="https://d.example/") is None
    )
    assert len(list_user_servers(store.engine, owner, box)) == MAX_USER_SERVERS


def test_a_header_sealed_under_another_key_reads_back_as_none(store, owner):
    first = SecretBox("first-key-not-real")
    add_user_server(store.engine, owner, first, name="t", url="https://t.example/mcp",
                    header_name="X-Key", header_value="v" * 8)  # fmt: skip
    (kept,) = list_user_servers(store.engine, owner, SecretBox("second-key-not-real"))
    assert kept.header_value is None


def test_without_a_deployer_key_one_is_made_once_for_this_user_only(tmp_path):
    first = SecretBox.for_app(None, tmp_path / "data")
    key_file = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = SecretBox.for_app(None, tmp_path / "data")
    assert again.open(first.seal("sealed")) == "sealed"
    assert SecretBox.for_app("deployer-key-not-real", tmp_path / "data").open(
        first.seal("x")) is None  # fmt: skip
    assert first.open("not a token") is None
