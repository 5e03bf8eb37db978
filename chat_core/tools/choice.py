"""Which tools a conversation uses: the visitor's switches over the deployer's servers.

Kept as one line of text with the conversation (and in presets): the names switched off,
comma-separated, each a server's name or ``server/tool``; ``*`` switches every tool off
and ``-`` says nothing is (a conversation whose visitor turned tools on where the
deployer's default is off). A conversation that never chose follows ``tools_default``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from chat_core.settings.settings import Settings
from chat_core.tools.loop import OfferedTool

__all__ = ["ALL", "BUILT_IN", "NOTHING_OFF", "ToolSwitches", "switches_of"]

ALL = "*"
NOTHING_OFF = "-"
BUILT_IN = "web"  # the switch of the built-in tools (web search, reading a page)
_MAX_ENTRIES = 256


class ToolSwitches:
    """The switched-off names of one conversation, read from and written to the setting."""

    def __init__(self, off: Iterable[str] = ()) -> None:
        self.off = frozenset(list(off)[:_MAX_ENTRIES])

    @classmethod
    def parse(cls, value: str | None, *, default_on: bool) -> ToolSwitches:
        if value is None:
            return cls(() if default_on else (ALL,))
        names = (entry.strip() for entry in value.split(","))
        return cls(name for name in names if name and name != NOTHING_OFF)

    @property
    def value(self) -> str:
        """As the setting keeps it (never empty: blank means "not chosen")."""
        return ",".join(sorted(self.off)) or NOTHING_OFF

    @property
    def tools_on(self) -> bool:
        return ALL not in self.off

    def server_on(self, server: str) -> bool:
        return self.tools_on and server not in self.off

    def tool_on(self, server: str, tool: str) -> bool:
        return self.server_on(server) and f"{server}/{tool}" not in self.off

    def switched(self, name: str, on: bool) -> ToolSwitches:
        """With ``name`` (``*``, a server or ``server/tool``) switched on or off."""
        return ToolSwitches(self.off - {name} if on else self.off | {name})

    def offered(self, tools: Sequence[OfferedTool]) -> tuple[list[OfferedTool], list[str]]:
        """The tools switched on, each name once (a model calls tools by name alone), and
        the names left out because an earlier server had taken them."""
        chosen: dict[str, OfferedTool] = {}
        clashes: list[str] = []
        for item in tools:
            server = item.server or BUILT_IN
            if not self.tool_on(server, item.tool.name):
                continue
            if item.tool.name in chosen:
                clashes.append(f"{server}/{item.tool.name}")
                continue
            chosen[item.tool.name] = item
        return list(chosen.values()), clashes


def switches_of(settings: Settings) -> ToolSwitches:
    return ToolSwitches.parse(settings.tools_off, default_on=settings.tools_default)
