"""A user's own remote MCP servers (``CHAT_MCP_USER_SERVERS``): a URL and, if it needs one,
a header (``Authorization: Bearer …``). Unlike the deployer's file, what a user types
may point anywhere, so it is checked when it is added (an http(s) URL, a name of its
own, a header that is one) and every connection to it goes through the address guard:
loopback and private networks are refused unless ``CHAT_ALLOWED_NETWORKS`` lists them,
after DNS and on redirects alike. Only Streamable HTTP and SSE: a user never starts a
command on this machine.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from chat_core.identity import IPNetwork
from chat_core.tools.mcp_config import McpServer
from chat_core.web.address_guard import AddressRefusedError, checked_address, guarded_async_client

__all__ = ["UserServer", "UserServerRefusedError", "as_mcp_server", "checked_user_server"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$")  # an HTTP token
_URL_CHARS = 2_000
_VALUE_CHARS = 4_096


class UserServerRefusedError(ValueError):
    """Why a server cannot be added: ``reason`` is a locale key (tools.user_refused_*)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class UserServer:
    name: str
    url: str
    header_name: str = ""
    header_value: str = field(default="", repr=False)


def checked_user_server(
    name: str,
    url: str,
    header_name: str = "",
    header_value: str = "",
    *,
    taken: Collection[str] = (),
    allowed: Sequence[IPNetwork] = (),
) -> UserServer:
    """The server as typed, once it passes every check (raises UserServerRefusedError)."""
    name, url, header_name = name.strip(), url.strip(), header_name.strip()
    header_value = header_value.strip()
    if not _NAME.match(name):
        raise UserServerRefusedError("name")
    if name.lower() in {other.lower() for other in taken}:
        raise UserServerRefusedError("name_taken")
    _check_url(url, allowed)
    if header_name or header_value:
        if not _HEADER_NAME.match(header_name) or not header_value:
            raise UserServerRefusedError("header")
        if len(header_value) > _VALUE_CHARS or any(c in header_value for c in "\r\n\0"):
            raise UserServerRefusedError("header")
    return UserServer(name, url, header_name, header_value)


def _check_url(url: str, allowed: Sequence[IPNetwork]) -> None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UserServerRefusedError("url") from None
    if len(url) > _URL_CHARS or parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserServerRefusedError("url")
    if parts.username or parts.password:
        raise UserServerRefusedError("url")  # a secret goes in the header, never the URL
    try:
        checked_address(parts.hostname, port or 443, allowed)
    except AddressRefusedError as refused:
        raise UserServerRefusedError("unresolved" if refused.unresolved else "private") from None


def as_mcp_server(server: UserServer, allowed: Sequence[IPNetwork]) -> McpServer:
    """The server as the toolbox connects to it: through the guard, every time."""
    transport = "sse" if urlsplit(server.url).path.endswith("/sse") else "streamable_http"
    connection: dict[str, Any] = {
        "transport": transport,
        "url": server.url,
        "httpx_client_factory": _GuardedFactory(tuple(allowed)),
    }
    secrets: tuple[str, ...] = ()
    if server.header_name:
        connection["headers"] = {server.header_name: server.header_value}
        secrets = (server.header_value,)
    return McpServer(server.name, transport, connection, trusted=False, secrets=secrets)


@dataclass(frozen=True)
class _GuardedFactory:
    """An MCP transport's httpx client factory whose clients reach allowed addresses only."""

    allowed: tuple[IPNetwork, ...]

    def __call__(
        self,
        headers: dict[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        auth: httpx.Auth | None = None,
    ) -> httpx.AsyncClient:
        options: dict[str, Any] = {"timeout": timeout or httpx.Timeout(30, read=300)}
        if headers is not None:
            options["headers"] = headers
        if auth is not None:
            options["auth"] = auth
        return guarded_async_client(self.allowed, **options)
