"""The tools of MCP servers for one answer, through langchain-mcp-adapters.

An answer's job thread is plain Python; MCP sessions live on an asyncio loop. A
:class:`McpToolbox` runs a loop of its own in a thread for as long as the answer needs
its tools: one task opens every session (each bounded in time; a server that is down
or slow is a problem to show, and the others go on), holds them, and closes them in the
same task at the end, as anyio's task groups require. Tool calls are submitted to that
loop from the job thread and waited for with a timeout.

Whether a tool asks before it runs follows its MCP annotations: only one that says
``readOnlyHint`` (and not ``destructiveHint``) runs without asking, unless the deployer
trusts its server.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import ToolMessage
from langchain_core.messages.tool import ToolCall
from langchain_core.tools import BaseTool
from langchain_mcp_adapters.sessions import create_session
from langchain_mcp_adapters.tools import load_mcp_tools

from chat_core.redact import redact
from chat_core.tools.loop import OfferedTool
from chat_core.tools.mcp_config import McpServer

__all__ = ["McpToolbox", "asks_first"]

log = logging.getLogger(__name__)

_MAX_TOOLS_PER_SERVER = 128
_DESCRIPTION_CHARS = 1_024


def asks_first(annotations: Mapping[str, Any] | None, *, trusted: bool) -> bool:
    """Whether the visitor says Run or Skip before this tool runs."""
    if trusted:
        return False
    hints = annotations or {}
    return hints.get("readOnlyHint") is not True or hints.get("destructiveHint") is True


@dataclass(frozen=True)
class _Opened:
    server: McpServer
    tools: tuple[BaseTool, ...]


class McpToolbox:
    """Use as ``with McpToolbox(servers, connect_seconds=10) as box:`` for one answer."""

    def __init__(self, servers: Sequence[McpServer], *, connect_seconds: float = 10.0) -> None:
        self._servers = tuple(servers)
        self._connect_seconds = connect_seconds
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mcp", daemon=True)
        self._closing: asyncio.Event | None = None
        self._holder: asyncio.Future | None = None
        self._opened: list[_Opened] = []
        self.problems: list[str] = []  # one per server that could not be used, fit to show
        self.unavailable: dict[str, str] = {}  # the same, by the server's name

    def __enter__(self) -> McpToolbox:
        self._thread.start()
        ready = threading.Event()
        self._holder = asyncio.run_coroutine_threadsafe(self._hold(ready), self._loop)
        # Each server is bounded in _hold; this bounds them all, whatever happens there.
        if not ready.wait(self._connect_seconds * max(1, len(self._servers)) + 5):
            self.problems.append("The MCP servers did not all answer in time")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._closing is not None:
            self._loop.call_soon_threadsafe(self._closing.set)
        if self._holder is not None:
            try:
                self._holder.result(timeout=10)
            except Exception as exc:  # closing a broken session: nothing left to lose
                log.debug("MCP sessions closed with %s", type(exc).__name__)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()

    @property
    def tools(self) -> list[OfferedTool]:
        """Every tool of every server that answered, named as its server names it."""
        return [
            OfferedTool(tool, server=opened.server.name, asks_first=asks_first(
                tool.metadata, trusted=opened.server.trusted))
            for opened in self._opened
            for tool in opened.tools
        ]  # fmt: skip

    def run(self, tool: BaseTool, call: ToolCall, seconds: float) -> ToolMessage:
        """Run ``call`` on the loop of the sessions (a ToolRunner for the loop of calls)."""
        coroutine = asyncio.wait_for(tool.ainvoke(call), seconds)
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout=seconds + 1)
        except TimeoutError:
            future.cancel()
            raise

    async def _hold(self, ready: threading.Event) -> None:
        self._closing = asyncio.Event()
        async with AsyncExitStack() as sessions:
            for server in self._servers:
                await self._open(server, sessions)
            ready.set()
            await self._closing.wait()

    async def _open(self, server: McpServer, sessions: AsyncExitStack) -> None:
        """Open ``server``'s session into ``sessions``, or note why it cannot be used."""
        attempt = AsyncExitStack()
        try:
            async with asyncio.timeout(self._connect_seconds):
                session = await attempt.enter_async_context(create_session(dict(server.connection)))
                await session.initialize()
                tools = await load_mcp_tools(session, server_name=server.name)
        except BaseException as exc:  # down, slow, or not an MCP server: said, and skipped
            why = await _failure(exc, attempt)
            problem = _problem(server, why, self._connect_seconds)
            self.problems.append(problem)
            self.unavailable[server.name] = problem
            return
        sessions.push_async_exit(attempt)
        self._opened.append(_Opened(server, tuple(_bounded(tools))))


async def _failure(error: BaseException, attempt: AsyncExitStack) -> BaseException:
    """Why opening failed, once the attempt is closed.

    A transport's task group that fails (a refused connection) cancels the task that
    opened it: the CancelledError seen first is not the reason, the group's error raised
    when the attempt closes is. A cancellation of the toolbox itself goes on up.
    """
    try:
        await attempt.aclose()
    except BaseException as closing:
        if not isinstance(closing, asyncio.CancelledError):
            log.debug("a failed MCP session closed with %s", type(closing).__name__)
            if isinstance(error, asyncio.CancelledError):
                error = closing
    if isinstance(error, asyncio.CancelledError):
        task = asyncio.current_task()
        if task is None or task.cancelling():
            raise error
    return error


def _bounded(tools: list[BaseTool]) -> list[BaseTool]:
    """At most so many tools of a server, their descriptions cut (a server is a stranger)."""
    for tool in tools[:_MAX_TOOLS_PER_SERVER]:
        tool.description = (tool.description or "")[:_DESCRIPTION_CHARS]
    return tools[:_MAX_TOOLS_PER_SERVER]


def _problem(server: McpServer, error: BaseException, seconds: float) -> str:
    if isinstance(error, TimeoutError):
        why = f"no answer within {seconds:g} s"
    else:
        leaf = _first_leaf(error)
        detail = " ".join(str(leaf).split())[:200]
        why = f"{type(leaf).__name__}: {detail}" if detail else type(leaf).__name__
    return redact(f"MCP server {server.name} ({server.address}) is unavailable: {why}",
                  list(server.secrets))  # fmt: skip


def _first_leaf(error: BaseException) -> BaseException:
    """The first real error inside anyio's exception groups."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error
