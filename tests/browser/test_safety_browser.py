"""What only a browser shows: escaping, images not fetched, keys kept per visitor."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.app_server import StreamlitProcess, settings_env
from tests.support.browser import ChatPage
from tests.support.scripted_server import Reply

pytestmark = pytest.mark.browser

XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"><b>bold?</b>'


def test_html_in_messages_and_answers_is_shown_as_text(open_chat, model_server):
    chat = open_chat()
    model_server.queue(Reply.text(f"Answer with {XSS}"))
    chat.send(f"Question with {XSS}")
    chat.wait_for_answer(f"Answer with {XSS}", count=2)
    texts = chat.messages()
    assert XSS in texts[0] and XSS in texts[1]
    assert chat.page.evaluate("window.__xss") is None
    assert chat.page.locator('[data-testid="stChatMessage"] script').count() == 0
    assert chat.page.locator('[data-testid="stChatMessage"] img[src="x"]').count() == 0


class _CountingServer(ThreadingHTTPServer):
    hits = 0


class _Pixel(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def image_host():
    server = _CountingServer(("127.0.0.1", 0), _Pixel)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def test_remote_images_in_an_answer_are_links_and_not_fetched(open_chat, model_server, image_host):
    url = f"http://127.0.0.1:{image_host.server_address[1]}/pixel.gif"
    chat = open_chat()
    model_server.queue(Reply.text(f"Look: ![tracking pixel]({url}) and <img src='{url}'> end"))
    chat.send("show me a picture")
    chat.wait_for_answer("end", count=2)
    chat.page.wait_for_timeout(500)
    assert image_host.hits == 0
    link = chat.page.locator(f'[data-testid="stChatMessage"] a[href="{url}"]')
    assert link.inner_text() == "tracking pixel"


@pytest.fixture(scope="module")
def keyless_app(_model_server):
    """A deployment that needs a key from each visitor (none is configured)."""
    env = settings_env(
        OPENAI_BASE_URL=_model_server.base_url, CHAT_REQUIRE_KEY="true", CHAT_MODEL="scripted-small"
    )
    process = StreamlitProcess(env).wait_ready()
    yield process
    process.stop()


def test_a_visitors_key_is_used_for_their_requests_only(browser, keyless_app, model_server):
    key = "visitor-a-secret-key-4242"
    contexts = [browser.new_context(locale="en-US") for _ in range(2)]
    try:
        alice, bob = (ChatPage(c.new_page()).open(keyless_app.url) for c in contexts)
        for chat in (alice, bob):  # the notice is drawn after the message box
            chat.page.get_by_text("No model is configured yet.").wait_for(timeout=30_000)
            assert chat.page.locator(chat.INPUT).is_disabled()

        field = alice.page.get_by_role("textbox", name="OpenAI API key")
        field.fill(key)
        field.press("Enter")
        alice.page.locator(f"{alice.INPUT}:enabled").wait_for()
        alice.send("hello from alice")
        alice.wait_for_answer("Echo: hello from alice", count=2)

        bob.page.reload()
        bob.page.locator(bob.INPUT).wait_for()
        bob.page.get_by_text("No model is configured yet.").wait_for(timeout=30_000)
        assert bob.page.locator(bob.INPUT).is_disabled()
        assert bob.page.get_by_role("textbox", name="OpenAI API key").input_value() == ""

        auth = [r.headers.get("authorization") for r in model_server.chat_requests]
        assert auth == [f"Bearer {key}"]
        for chat in (alice, bob):
            assert key not in chat.page.content()
        assert key not in keyless_app.log_text()
    finally:
        for context in contexts:
            context.close()
