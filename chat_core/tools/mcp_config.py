"""The deployer's MCP servers, read from a file in the shape people already write.

Claude Desktop and Cursor write ``{"mcpServers": {name: server}}``, VS Code
``{"servers": {name: server}}``; a server is either ``command`` / ``args`` / ``env``
(stdio, started by this app: the deployer's only) or ``url`` / ``headers`` (Streamable
HTTP, or SSE with ``"type": "sse"``). ``${VAR}`` (and VS Code's ``${env:VAR}``) take
their value from the environment, so secrets stay out of the file. Two keys are this
app's own: ``trusted`` (its tools run without asking) and ``disabled``.

A server that cannot be used is skipped with a problem naming it and why; no problem
ever carries a secret (header and ``env`` values, and whatever came from a variable).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from chat_core.redact import redact
from chat_core.tools.choice import BUILT_IN

__all__ = [
    "MAX_CONFIG_BYTES",
    "MAX_SERVERS",
    "McpConfig",
    "McpServer",
    "parse_mcp_config",
    "read_mcp_config",
]

Transport = Literal["stdio", "streamable_http", "sse"]

MAX_CONFIG_BYTES = 256 * 1024
MAX_SERVERS = 32
_MAX_ARGS = 64
_MAX_VALUE_CHARS = 4_096
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_VARIABLE = re.compile(r"\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}")
_REMOTE_TYPES: dict[str, Transport] = {
    "http": "streamable_http",
    "streamable-http": "streamable_http",
    "streamable_http": "streamable_http",
    "streamablehttp": "streamable_http",
    "sse": "sse",
}


@dataclass(frozen=True)
class McpServer:
    """One server as langchain-mcp-adapters connects to it."""

    name: str
    transport: Transport
    connection: Mapping[str, Any] = field(repr=False)  # secrets inside: never shown
    trusted: bool = False
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def address(self) -> str:
        """Where it is, fit to show: the command, or the URL without query or credentials."""
        if self.transport == "stdio":
            return redact(str(self.connection["command"]), list(self.secrets))
        parts = urlsplit(str(self.connection["url"]))
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return redact(f"{parts.scheme}://{host}{port}{parts.path}", list(self.secrets))


@dataclass(frozen=True)
class McpConfig:
    servers: tuple[McpServer, ...] = ()
    problems: tuple[str, ...] = ()  # one per server skipped (or for the whole file)


class _UnusableError(ValueError):
    """Why one server is skipped (text with no secret in it)."""


def read_mcp_config(path: str | Path | None, environ: Mapping[str, str]) -> McpConfig:
    """The servers in the file at ``path`` (none configured: no servers, no problem)."""
    if not path:
        return McpConfig()
    file = Path(path)
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        return McpConfig(problems=(f"CHAT_MCP_CONFIG: cannot read {file.name} ({exc.strerror})",))
    if len(data) > MAX_CONFIG_BYTES:
        limit = MAX_CONFIG_BYTES // 1024
        return McpConfig(problems=(f"CHAT_MCP_CONFIG: {file.name} is over {limit} KB",))
    return parse_mcp_config(data.decode("utf-8", errors="replace"), environ)


def parse_mcp_config(text: str, environ: Mapping[str, str]) -> McpConfig:
    """The servers ``text`` (JSON) declares, with ``${VAR}`` taken from ``environ``."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        return McpConfig(problems=(f"CHAT_MCP_CONFIG: not JSON (line {_line_of(exc)})",))
    declared = _declared_servers(document)
    if declared is None:
        return McpConfig(problems=('CHAT_MCP_CONFIG: no "mcpServers" object',))
    servers: list[McpServer] = []
    problems: list[str] = []
    for name, entry in list(declared.items())[:MAX_SERVERS]:
        try:
            server = _server(name, entry, environ)
        except _UnusableError as why:
            problems.append(f"MCP server {_shown_name(name)}: {why}")
            continue
        if server is not None:
            servers.append(server)
    if len(declared) > MAX_SERVERS:
        problems.append(f"CHAT_MCP_CONFIG: only the first {MAX_SERVERS} servers are used")
    return McpConfig(tuple(servers), tuple(problems))


def _declared_servers(document: Any) -> dict[str, Any] | None:
    if not isinstance(document, dict):
        return None
    servers = document.get("mcpServers", document.get("servers"))
    return servers if isinstance(servers, dict) else None


def _server(name: str, entry: Any, environ: Mapping[str, str]) -> McpServer | None:
    if not _NAME.match(name):
        raise _UnusableError("a name is letters, digits, '-', '_' or '.', at most 64")
    if name.lower() == BUILT_IN:
        raise _UnusableError(f'"{BUILT_IN}" is the name of the built-in tools')
    if not isinstance(entry, dict):
        raise _UnusableError("not an object")
    if entry.get("disabled") is True:
        return None
    trusted = _flag(entry, "trusted")
    secrets: list[str] = []
    expand = _Expander(environ, secrets)
    if "command" in entry:
        connection = _stdio(entry, expand)
        transport: Transport = "stdio"
    elif "url" in entry or "serverUrl" in entry:
        transport, connection = _remote(entry, expand)
    else:
        raise _UnusableError('neither "command" (stdio) nor "url" (HTTP)')
    return McpServer(name, transport, connection, trusted, tuple(s for s in secrets if s))


def _stdio(entry: dict[str, Any], expand: _Expander) -> dict[str, Any]:
    command = expand.text(entry["command"], "command")
    args = entry.get("args", [])
    if not isinstance(args, list) or len(args) > _MAX_ARGS:
        raise _UnusableError(f'"args" is a list of at most {_MAX_ARGS} strings')
    connection: dict[str, Any] = {
        "transport": "stdio",
        "command": command,
        "args": [expand.text(arg, "args") for arg in args],
    }
    if (env := entry.get("env")) is not None:
        connection["env"] = expand.mapping(env, "env", secret=True)
    if (cwd := entry.get("cwd")) is not None:
        connection["cwd"] = expand.text(cwd, "cwd")
    return connection


def _remote(entry: dict[str, Any], expand: _Expander) -> tuple[Transport, dict[str, Any]]:
    url = expand.text(entry.get("url", entry.get("serverUrl")), "url", secret=None)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _UnusableError('"url" is an http:// or https:// address')
    kind = str(entry.get("type", entry.get("transport", ""))).lower()
    if kind and kind not in _REMOTE_TYPES:
        raise _UnusableError(f'"type" is one of {", ".join(sorted(set(_REMOTE_TYPES)))}')
    transport = _REMOTE_TYPES.get(kind) or (
        "sse" if parts.path.endswith("/sse") else "streamable_http"
    )
    connection: dict[str, Any] = {"transport": transport, "url": url}
    if (headers := entry.get("headers")) is not None:
        connection["headers"] = expand.mapping(headers, "headers", secret=True)
    return transport, connection


def _flag(entry: dict[str, Any], key: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise _UnusableError(f'"{key}" is true or false')
    return value


class _Expander:
    """Takes ``${VAR}`` from the environment, noting what must never be shown."""

    def __init__(self, environ: Mapping[str, str], secrets: list[str]) -> None:
        self._environ = environ
        self._secrets = secrets

    def text(self, value: Any, where: str, *, secret: bool | None = False) -> str:
        """``value`` expanded; ``secret``: the whole value is one (None: only a URL's
        credentials and query, and what came from variables)."""
        if not isinstance(value, str) or not value or len(value) > _MAX_VALUE_CHARS:
            raise _UnusableError(f'"{where}" is text of at most {_MAX_VALUE_CHARS} characters')
        expanded = _VARIABLE.sub(self._value_of, value)
        if secret:
            self._secrets.append(expanded)
        elif secret is None:
            parts = urlsplit(expanded)
            self._secrets.extend(s for s in (parts.password, parts.query) if s)
        return expanded

    def mapping(self, value: Any, where: str, *, secret: bool) -> dict[str, str]:
        if not isinstance(value, dict) or len(value) > _MAX_ARGS:
            raise _UnusableError(f'"{where}" is an object of at most {_MAX_ARGS} strings')
        if not all(isinstance(key, str) and key for key in value):
            raise _UnusableError(f'"{where}" has a name that is not text')
        return {key: self.text(item, where, secret=secret) for key, item in value.items()}

    def _value_of(self, match: re.Match[str]) -> str:
        variable = match.group(1)
        if variable not in self._environ:
            raise _UnusableError(f"${{{variable}}} is not set")
        self._secrets.append(self._environ[variable])
        return self._environ[variable]


def _shown_name(name: Any) -> str:
    text = str(name)
    return text if _NAME.match(text) else json.dumps(text[:64], ensure_ascii=False)


def _line_of(error: ValueError) -> int:
    return getattr(error, "lineno", 0)
