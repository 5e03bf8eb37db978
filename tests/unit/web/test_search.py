"""Web search through each provider's shape, against the scripted provider on loopback."""

from __future__ import annotations

import json

import httpx
import pytest

from chat_core.settings.settings import Settings
from chat_core.web.search import SearchError, SearchProvider, search_provider, search_web
from tests.support.web_pages import scripted_web


@pytest.fixture
def web():
    with scripted_web() as web:
        yield web


@pytest.mark.parametrize("kind", ["searxng", "tavily", "brave"])
def test_each_provider_gives_checked_hits(web, kind):
    provider = SearchProvider(kind, web.url, key="search-key-not-real", results=5)
    with httpx.Client(timeout=10) as client:
        hits = search_web(provider, "  ramen\n tokyo ", client=client)
    assert [h.title for h in hits] == ["Ramen near Tokyo Station", "Tsukemen guide"]
    assert hits[0].url == web.page("ramen.html") and hits[0].snippet == "Rokurinsha opens at 7:30."
    (seen,) = web.requests
    if kind == "searxng":
        assert seen.query == {"q": ["ramen tokyo"], "format": ["json"]}
    elif kind == "tavily":
        assert json.loads(seen.body) == {"query": "ramen tokyo", "max_results": 5}
        assert seen.headers["Authorization"] == "Bearer search-key-not-real"
    else:
        assert seen.query["q"] == ["ramen tokyo"]
        assert seen.headers["X-Subscription-Token"] == "search-key-not-real"


def test_results_are_bounded_by_the_setting(web):
    provider = SearchProvider("searxng", web.url, results=1)
    with httpx.Client(timeout=10) as client:
        assert len(search_web(provider, "ramen", client=client)) == 1


@pytest.mark.parametrize(
    ("status", "why"), [(401, "refused the key"), (429, "too many"), (500, "HTTP 500")]
)
def test_a_provider_that_refuses_is_said_without_the_key(web, status, why):
    web.status = status
    provider = SearchProvider("tavily", web.url, key="search-key-not-real")
    with httpx.Client(timeout=10) as client, pytest.raises(SearchError, match=why) as raised:
        search_web(provider, "ramen", client=client)
    assert "search-key-not-real" not in str(raised.value)


def test_an_unreachable_provider_is_said():
    provider = SearchProvider("searxng", "http://127.0.0.1:9")
    with httpx.Client(timeout=5) as client, pytest.raises(SearchError, match="not be reached"):
        search_web(provider, "ramen", client=client)


def test_the_settings_name_a_provider_only_when_it_can_work():
    assert search_provider(Settings()) is None
    assert search_provider(Settings(web_search="searxng")) is None  # no address
    assert search_provider(Settings(web_search="tavily")) is None  # no key
    brave = search_provider(Settings(web_search="brave", web_search_key="k" * 8))
    assert brave is not None and brave.url == "https://api.search.brave.com"
    searxng = search_provider(Settings(web_search="searxng", web_search_url="http://s:8080/"))
    assert searxng is not None and searxng.url == "http://s:8080"
    assert "k" * 8 not in repr(brave)
