"""The model's title reaches the page without a reload (Chromium, ``streamlit run``)."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.support.app_server import StreamlitProcess, settings_env
from tests.support.browser import ChatPage
from tests.support.scripted_server import Reply

pytestmark = pytest.mark.browser

SIDEBAR = '[data-testid="stSidebar"]'


@pytest.fixture(scope="module")
def titled_app(_model_server, tmp_path_factory):
    env = settings_env(
        OPENAI_BASE_URL=_model_server.base_url,
        OPENAI_API_KEY="test-key-not-real",
        CHAT_MODEL="scripted-small",
        CHAT_AUTO_TITLES="true",
        CHAT_DATA_DIR=str(tmp_path_factory.mktemp("titled-data")),
    )
    process = StreamlitProcess(env).wait_ready()
    yield process
    process.stop()


def test_the_heading_and_the_sidebar_show_the_models_title_when_it_comes(
    browser, titled_app, model_server, artifacts
):
    token = uuid.uuid4().hex[:6]
    title = f"Ramen guide {token}"
    # The title comes seconds after the answer, while the page is idle.
    model_server.queue(Reply.text("Near the station."), Reply.text(title, first_token_delay=3))
    context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 800})
    try:
        chat = ChatPage(context.new_page()).open(titled_app.url)
        chat.send(f"where can I eat ramen {token}?")
        chat.wait_for_answer("Near the station.", count=2)
        first_words = f"where can I eat ramen {token}?"
        chat.page.get_by_role("heading", name=first_words).wait_for()
        started = time.monotonic()
        chat.page.get_by_role("heading", name=title).wait_for(timeout=20_000)
        chat.page.locator(SIDEBAR).get_by_role("link", name=title).wait_for(timeout=5_000)
        waited = time.monotonic() - started
        assert chat.page.locator(SIDEBAR).get_by_role("link", name=first_words).count() == 0
        chat.page.screenshot(path=artifacts / "title-arrived.png")
        assert waited < 10, waited  # about the 3 s the title took, and one look after it
    finally:
        context.close()
