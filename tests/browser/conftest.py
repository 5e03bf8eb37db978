"""Browser fixtures: a fresh browser context (one visitor) per use."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.browser import ChatPage

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def provider() -> Iterator[str]:
    """A mock OpenID Connect provider on loopback (its users are set with set_claims)."""
    import oidc_provider_mock

    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def open_chat(browser, streamlit_server, model_server) -> Iterator[Callable[..., ChatPage]]:
    """Open the chat page as a new visitor: ``open_chat(locale="ja-JP")``.

    ``permissions`` are granted to the page, e.g. ``["clipboard-read"]``.
    """
    contexts = []

    def open_(locale: str = "en-US", permissions: list[str] | None = None) -> ChatPage:
        context = browser.new_context(
            locale=locale, viewport={"width": 1100, "height": 800}, permissions=permissions or []
        )
        contexts.append(context)
        return ChatPage(context.new_page()).open(streamlit_server.url)

    yield open_
    for context in contexts:
        context.close()
