"""A visitor on this machine keeps their history by whichever loopback URL they open.

The app runs on Streamlit's default address, as users run it: the server listens on
IPv4 and IPv6 at once, so a browser at http://127.0.0.1 arrives as ``::ffff:127.0.0.1``.
"""

from __future__ import annotations

import socket
import uuid

import pytest

from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from tests.support.app_server import scripted_app
from tests.support.browser import ChatPage

pytestmark = pytest.mark.browser

SESSION_ONLY = "History is kept for this browser tab only"


@pytest.fixture(scope="module")
def default_address_app(_model_server, tmp_path_factory):
    """Its own data folder, so the store holds only what these tests saved."""
    data = tmp_path_factory.mktemp("addresses") / "data"
    process = scripted_app(_model_server.base_url, data)
    yield process, data
    process.stop()


def listens_on_ipv6(port: int) -> bool:
    try:
        with socket.create_connection(("::1", port), timeout=2):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("address", ["url_ipv4", "url_localhost"])
def test_a_visitor_on_this_machine_keeps_their_history(
    browser, default_address_app, model_server, artifacts, address
):
    app, data = default_address_app
    if address == "url_ipv4" and not listens_on_ipv6(app.port):
        pytest.skip("no IPv6 here: 127.0.0.1 arrives as itself, not ::ffff:127.0.0.1")
    url = getattr(app, address)
    token = f"{address}-{uuid.uuid4().hex[:8]}"
    context = browser.new_context(locale="en-US")
    try:
        chat = ChatPage(context.new_page()).open(url)
        chat.send(f"kept {token}")
        chat.wait_for_answer(f"Echo: kept {token}", count=2)
        chat.page.screenshot(path=artifacts / f"local-visitor-{address}.png", full_page=True)
        assert chat.page.url.startswith(url)
        assert SESSION_ONLY not in chat.page.inner_text("body")

        chat.page.get_by_role("link", name="History").click()
        chat.page.get_by_role("heading", name="History").wait_for()
        chat.page.get_by_text(f"kept {token}").first.wait_for()
        assert SESSION_ONLY not in chat.page.inner_text("body")
    finally:
        context.close()
    saved = [c for c in ConversationStore(sqlite_url(data)).list("local") if token in c.title]
    assert [(c.title, c.message_count) for c in saved] == [(f"kept {token}", 2)], (
        f"not saved for the local owner; see {app.log_path}"
    )
