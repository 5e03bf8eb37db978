"""Web search through the provider the deployer configured: SearXNG's JSON API (for
self-hosters), Tavily or Brave (with a key).

The provider is the deployer's own address (a SearXNG on this machine is common), so it
is reached directly; what it answers is a stranger's text all the same: bounded, and
every result checked (an http(s) link, a title, a snippet) before the model reads it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from chat_core.redact import redact
from chat_core.settings.settings import Settings
from chat_core.web.bounded_body import read_bounded

__all__ = [
    "MAX_RESPONSE_BYTES",
    "SearchError",
    "SearchHit",
    "SearchProvider",
    "search_provider",
    "search_web",
]

MAX_RESPONSE_BYTES = 2 * 1024 * 1024
_MAX_QUERY_CHARS = 400
_TITLE_CHARS = 300
_SNIPPET_CHARS = 1_000
_URL_CHARS = 2_000
_DEFAULT_URLS = {
    "tavily": "https://api.tavily.com",
    "brave": "https://api.search.brave.com",
}


class SearchError(RuntimeError):
    """The search could not be made; the text says why, with no secret in it."""


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    snippet: str


@dataclass(frozen=True)
class SearchProvider:
    kind: str  # "searxng", "tavily" or "brave"
    url: str  # the provider's base address
    key: str | None = field(default=None, repr=False)
    results: int = 5


def search_provider(settings: Settings) -> SearchProvider | None:
    """The provider the settings configure; None when web search is off or cannot work
    (SearXNG without its address, Tavily or Brave without a key)."""
    kind = settings.web_search
    if kind is None:
        return None
    url = settings.web_search_url or _DEFAULT_URLS.get(kind)
    if url is None or (kind != "searxng" and not settings.web_search_key):
        return None
    return SearchProvider(kind, url.rstrip("/"), settings.web_search_key,
                          settings.web_search_results)  # fmt: skip


def search_web(provider: SearchProvider, query: str, *, client: httpx.Client) -> list[SearchHit]:
    """The provider's results for ``query``, at most ``provider.results`` of them."""
    query = " ".join(query.split())[:_MAX_QUERY_CHARS]
    if not query:
        raise SearchError("the query is empty")
    request = _request(provider, query, client)
    try:
        document = _json_of(client.send(request, stream=True))
    except httpx.HTTPError as exc:
        raise SearchError(redact(f"the search provider could not be reached ({type(exc).__name__})",
                                 [provider.key])) from None  # fmt: skip
    return _hits(provider.kind, document)[: provider.results]


def _request(provider: SearchProvider, query: str, client: httpx.Client) -> httpx.Request:
    accept = {"Accept": "application/json"}
    if provider.kind == "searxng":
        params = {"q": query, "format": "json"}
        return client.build_request("GET", f"{provider.url}/search", params=params, headers=accept)
    if provider.kind == "tavily":
        body = {"query": query, "max_results": provider.results}
        headers = {**accept, "Authorization": f"Bearer {provider.key}"}
        return client.build_request("POST", f"{provider.url}/search", json=body, headers=headers)
    headers = {**accept, "X-Subscription-Token": provider.key or ""}
    params = {"q": query, "count": str(provider.results)}
    return client.build_request(
        "GET", f"{provider.url}/res/v1/web/search", params=params, headers=headers
    )


def _json_of(response: httpx.Response) -> Any:
    try:
        if response.status_code in (401, 403):
            raise SearchError("the search provider refused the key")
        if response.status_code == 429:
            raise SearchError("the search provider says too many searches; try again later")
        if response.status_code != 200:
            raise SearchError(f"the search provider answered HTTP {response.status_code}")
        body, cut = read_bounded(response, MAX_RESPONSE_BYTES)
        if cut:
            raise SearchError("the search provider's answer is too large")
    finally:
        response.close()
    try:
        return json.loads(body)
    except ValueError:
        raise SearchError("the search provider did not answer JSON") from None


def _hits(kind: str, document: Any) -> list[SearchHit]:
    if not isinstance(document, dict):
        raise SearchError("the search provider's answer has no results")
    if kind == "brave":
        web = document.get("web")
        items, snippet_key = (web.get("results") if isinstance(web, dict) else None), "description"
    else:
        items, snippet_key = document.get("results"), "content"
    if not isinstance(items, list):
        raise SearchError("the search provider's answer has no results")
    hits = (_hit(item, snippet_key) for item in items[:100])
    return [hit for hit in hits if hit is not None]


def _hit(item: Any, snippet_key: str) -> SearchHit | None:
    if not isinstance(item, dict):
        return None
    url = item.get("url")
    if not isinstance(url, str) or len(url) > _URL_CHARS:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed [ in the host
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    title = _plain(item.get("title"), _TITLE_CHARS) or parts.hostname
    return SearchHit(title, url, _plain(item.get(snippet_key), _SNIPPET_CHARS))


def _plain(value: Any, limit: int) -> str:
    """One line of text (Brave marks matches with <strong>: the marks go)."""
    if not isinstance(value, str):
        return ""
    text = value.replace("<strong>", "").replace("</strong>", "")
    return " ".join(text.split())[:limit]
