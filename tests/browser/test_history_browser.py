"""Conversations that outlive the page: refresh, owners, and two app processes."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.support.app_server import StreamlitProcess, settings_env
from tests.support.browser import ChatPage

pytestmark = pytest.mark.browser


def card(chat: ChatPage, text: str):
    """The history page's card of the conversation that contains ``text``."""
    return chat.page.locator("[class*='st-key-conversation_']", has_text=text)


def open_history(chat: ChatPage) -> None:
    chat.page.get_by_role("link", name="History").click()
    chat.page.get_by_role("heading", name="History").wait_for()


def test_a_refresh_loses_nothing(open_chat, model_server, artifacts):
    chat = open_chat()
    token = f"refresh-{uuid.uuid4().hex[:8]}"
    chat.send(f"remember {token}")
    chat.wait_for_answer(f"Echo: remember {token}", count=2)
    chat.page.reload()
    chat.page.locator(chat.INPUT).wait_for()
    open_history(chat)
    chat.page.get_by_text(f"remember {token}").first.wait_for()
    chat.page.screenshot(path=artifacts / "history.png", full_page=True)
    card(chat, token).locator(".stButton button", has_text="Open").click()
    chat.page.locator(chat.INPUT).wait_for()
    chat.page.get_by_text(f"Echo: remember {token}").wait_for()
    chat.send("and after the refresh?")
    chat.wait_for_answer("Echo: and after the refresh?", count=4)
    window = [m["content"] for m in model_server.chat_requests[-1].messages[1:]]
    assert window == [f"remember {token}", f"Echo: remember {token}", "and after the refresh?"]


def test_two_owners_never_see_each_other(browser, streamlit_server, model_server):
    secret = f"local-secret-{uuid.uuid4().hex[:8]}"
    local = browser.new_context(locale="en-US")
    # A visitor who arrives through a proxy is not the local user: session-only history.
    remote = browser.new_context(
        locale="en-US", extra_http_headers={"X-Forwarded-For": "203.0.113.7"}
    )
    try:
        alice = ChatPage(local.new_page()).open(streamlit_server.url)
        bob = ChatPage(remote.new_page()).open(streamlit_server.url)
        alice.send(secret)
        alice.wait_for_answer(f"Echo: {secret}", count=2)
        bob.page.get_by_text("this browser tab only").first.wait_for()
        bob.send("bob's message")
        bob.wait_for_answer("Echo: bob's message", count=2)

        open_history(bob)
        bob.page.get_by_text("History is kept for this browser tab only").wait_for()
        assert secret not in bob.page.content()
        open_history(alice)
        alice.page.get_by_text(secret).first.wait_for()
        assert "bob's message" not in alice.page.content()
    finally:
        local.close()
        remote.close()


POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL")


@pytest.mark.skipif(not POSTGRES_URL, reason="needs CHAT_TEST_DATABASE_URL (scripts/test sets it)")
def test_two_app_processes_share_one_postgresql(browser, model_server, artifacts):
    env = settings_env(
        OPENAI_BASE_URL=model_server.base_url,
        OPENAI_API_KEY="k",
        CHAT_MODEL="scripted-small",
        CHAT_DATABASE_URL=POSTGRES_URL,
    )
    first, second = StreamlitProcess(env), StreamlitProcess(env)
    first.wait_ready()
    second.wait_ready()
    token = f"replica-{uuid.uuid4().hex[:8]}"
    context = browser.new_context(locale="en-US")
    try:
        one = ChatPage(context.new_page()).open(first.url)
        one.send(f"started on one {token}")
        one.wait_for_answer(f"Echo: started on one {token}", count=2)

        two = ChatPage(context.new_page()).open(second.url)
        open_history(two)
        card(two, token).locator(".stButton button", has_text="Open").click()
        two.page.locator(two.INPUT).wait_for()
        two.page.get_by_text(f"Echo: started on one {token}").wait_for()
        two.send(f"continued on two {token}")
        two.wait_for_answer(f"Echo: continued on two {token}", count=4)

        one.page.reload()
        one.page.locator(one.INPUT).wait_for()
        open_history(one)
        card(one, token).get_by_text("4 messages").wait_for()
        card(one, token).locator(".stButton button", has_text="Open").click()
        one.page.get_by_text(f"Echo: continued on two {token}").wait_for()
    finally:
        context.close()
        first.stop()
        second.stop()
