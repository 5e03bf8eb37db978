"""The built-in tools the deployer switches on: ``web_search`` (through the configured
provider) and ``fetch_page`` (a page's text, public addresses only unless allowed).

One :class:`WebToolbox` serves one answer and numbers what its tools find, across every
search and page of the answer, so the text can cite them as [1], [2] and the page lists
them under the answer. Each result is a LangChain tool's content (the text the model
reads) and artifact (the sources, which the step keeps).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import httpx
from langchain_core.messages import ToolMessage
from langchain_core.messages.tool import ToolCall
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, Field

from chat_core.conversation.tool_steps import Source
from chat_core.identity import IPNetwork
from chat_core.settings.settings import Settings
from chat_core.tools.loop import OfferedTool, run_sync_tool
from chat_core.web.address_guard import guarded_client, verified_tls
from chat_core.web.page_text import MAX_REDIRECTS, PageError, read_page
from chat_core.web.search import SearchError, SearchProvider, search_provider, search_web

__all__ = ["FETCH_PAGE", "WEB_SEARCH", "WebPlan", "WebToolbox", "web_plan"]

WEB_SEARCH = "web_search"
FETCH_PAGE = "fetch_page"

_SEARCH_DESCRIPTION = (
    "Search the web. Gives numbered results (title, address, snippet). Use it for recent "
    "events or facts you are not sure of; cite the results you use as [n]."
)
_FETCH_DESCRIPTION = (
    "Read the text of a web page by its http(s) address, e.g. a search result, to answer "
    "from the page itself; cite it as [n]."
)


class _SearchArguments(BaseModel):
    query: str = Field(description="What to search for, as words a search engine takes")


class _PageArguments(BaseModel):
    url: str = Field(description="The page's http:// or https:// address")


def _tool(name: str, description: str, arguments: type[BaseModel], run) -> StructuredTool:
    """A tool whose result is the text the model reads and, apart, the sources it found
    (its schema declared once, not read from the function for each answer)."""
    return StructuredTool(
        name=name,
        description=description,
        args_schema=arguments,
        func=run,
        response_format="content_and_artifact",
        handle_tool_error=True,
    )


@dataclass(frozen=True)
class WebPlan:
    """The built-in tools the deployer configured."""

    search: SearchProvider | None = None
    fetch: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return ((WEB_SEARCH,) if self.search else ()) + ((FETCH_PAGE,) if self.fetch else ())


def web_plan(settings: Settings) -> WebPlan:
    return WebPlan(search_provider(settings), settings.web_fetch, settings.allowed_networks)


class WebToolbox:
    """Use as ``with WebToolbox(plan, seconds=30) as web:`` for one answer."""

    def __init__(self, plan: WebPlan, *, seconds: float) -> None:
        self._plan = plan
        self._timeout = httpx.Timeout(seconds, connect=min(seconds, 10.0))
        self._lock = threading.Lock()  # calls of one round run side by side
        self._by_url: dict[str, Source] = {}
        self._search_client: httpx.Client | None = None
        self._page_client: httpx.Client | None = None
        self._tools: list[BaseTool] = []

    def __enter__(self) -> WebToolbox:
        if self._plan.search:
            self._search_client = httpx.Client(timeout=self._timeout, verify=verified_tls())
            self._tools.append(_tool(WEB_SEARCH, _SEARCH_DESCRIPTION, _SearchArguments,
                                     self._search))  # fmt: skip
        if self._plan.fetch:
            self._page_client = guarded_client(
                self._plan.allowed_networks, timeout=self._timeout, max_redirects=MAX_REDIRECTS
            )
            self._tools.append(_tool(FETCH_PAGE, _FETCH_DESCRIPTION, _PageArguments,
                                     self._fetch))  # fmt: skip
        return self

    def __exit__(self, *exc_info: object) -> None:
        for client in (self._search_client, self._page_client):
            if client is not None:
                client.close()

    @property
    def tools(self) -> list[OfferedTool]:
        return [OfferedTool(tool) for tool in self._tools]

    def owns(self, tool: BaseTool) -> bool:
        return any(tool is mine for mine in self._tools)

    def run(self, tool: BaseTool, call: ToolCall, seconds: float) -> ToolMessage:
        return run_sync_tool(tool, call, seconds)

    def _search(self, query: str) -> tuple[str, tuple[Source, ...]]:
        """Search the web for ``query``."""
        assert self._plan.search is not None and self._search_client is not None
        try:
            hits = search_web(self._plan.search, query, client=self._search_client)
        except SearchError as exc:
            raise ToolException(f"Search failed: {exc}") from None
        if not hits:
            return f"No results for {query!r}.", ()
        sources = tuple(self._numbered(hit.url, hit.title) for hit in hits)
        lines = [f"Results for {query!r} (cite as [n]):"]
        for source, hit in zip(sources, hits, strict=True):
            lines += ["", f"[{source.number}] {hit.title}", f"URL: {hit.url}", hit.snippet]
        return "\n".join(lines).rstrip(), sources

    def _fetch(self, url: str) -> tuple[str, tuple[Source, ...]]:
        """Read the text of the web page at ``url``."""
        assert self._page_client is not None
        try:
            page = read_page(url, client=self._page_client)
        except PageError as exc:
            raise ToolException(f"The page was not read: {exc}") from None
        source = self._numbered(url, page.title, also=page.url)
        head = [f"[{source.number}] {page.title}", f"URL: {page.url}"]
        if page.cut:
            head.append("(The page is long: only its beginning was read.)")
        return "\n".join([*head, "", page.text or "(no text on the page)"]), (source,)

    def _numbered(self, url: str, title: str, *, also: str | None = None) -> Source:
        """The source at ``url`` (or ``also``, where it led), numbered once per answer."""
        with self._lock:
            known = self._by_url.get(url) or (self._by_url.get(also) if also else None)
            source = known or Source(len(self._numbers()) + 1, title, also or url)
            for address in (url, also):
                if address:
                    self._by_url[address] = source
            return source

    def _numbers(self) -> set[int]:
        return {source.number for source in self._by_url.values()}
