"""What the deployer's MCP servers offer, for the Tools control: each server with its
tools and what they say they do, or why it cannot be used now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chat_core.tools.mcp_config import McpServer
from chat_core.tools.mcp_tools import McpToolbox

__all__ = ["ServerTools", "ToolInfo", "read_catalog"]


@dataclass(frozen=True)
class ToolInfo:
    name: str
    description: str
    asks_first: bool  # Run or Skip before it runs


@dataclass(frozen=True)
class ServerTools:
    name: str
    address: str  # fit to show: no secret in it
    tools: tuple[ToolInfo, ...] = ()
    problem: str | None = None  # why it cannot be used now (its tools are unknown)


def read_catalog(
    servers: Sequence[McpServer], *, connect_seconds: float
) -> tuple[ServerTools, ...]:
    """Every server's tools, asking each (in turn, each bounded in time)."""
    with McpToolbox(servers, connect_seconds=connect_seconds) as box:
        by_server: dict[str, list[ToolInfo]] = {}
        for offered in box.tools:
            info = ToolInfo(offered.tool.name, offered.tool.description or "", offered.asks_first)
            by_server.setdefault(offered.server or "", []).append(info)
        return tuple(
            ServerTools(
                server.name,
                server.address,
                tuple(by_server.get(server.name, ())),
                box.unavailable.get(server.name)
                or (None if server.name in by_server else "no answer in time"),
            )
            for server in servers
        )
