"""Conversations that outlive the page: refresh, owners, and two app processes."""

from __future__ import annotations

import json
import os
import uuid

import pytest

from chat_core.conversation.messages import ChatMessage
from chat_core.identity import LOCAL_OWNER
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from tests.support.app_server import StreamlitProcess, scripted_app, settings_env
from tests.support.browser import ChatPage
from tests.support.many_conversations import add_conversations

pytestmark = pytest.mark.browser


def card(chat: ChatPage, text: str):
    """The history page's card of the conversation that contains ``text``."""
    return chat.page.locator("[class*='st-key-conversation_']", has_text=text)


def open_history(chat: ChatPage) -> None:
    chat.page.get_by_role("link", name="History").click()
    chat.page.get_by_role("heading", name="History").wait_for()


def open_from_card(chat: ChatPage, text: str) -> None:
    """Follow the card's link to the conversation's address."""
    card(chat, text).get_by_role("link").first.click()


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
    open_from_card(chat, token)
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
        open_from_card(two, token)
        two.page.locator(two.INPUT).wait_for()
        two.page.get_by_text(f"Echo: started on one {token}").wait_for()
        two.send(f"continued on two {token}")
        two.wait_for_answer(f"Echo: continued on two {token}", count=4)

        one.page.reload()
        one.page.locator(one.INPUT).wait_for()
        open_history(one)
        card(one, token).get_by_text("4 messages").wait_for()
        open_from_card(one, token)
        one.page.get_by_text(f"Echo: continued on two {token}").wait_for()
    finally:
        context.close()
        first.stop()
        second.stop()


@pytest.fixture(scope="module")
def large_history(_model_server, tmp_path_factory):
    """An app whose local owner has 2,000 conversations (a normal ChatGPT export) and one
    with an answer in two versions."""
    data = tmp_path_factory.mktemp("large-history") / "data"
    store = ConversationStore(sqlite_url(data))
    add_conversations(store, LOCAL_OWNER, 2000)
    versions = store.create(LOCAL_OWNER, title="Two answers", settings={})
    store.put_message(versions, LOCAL_OWNER, 0, ChatMessage.user("which animal?"))
    store.put_message(versions, LOCAL_OWNER, 1, ChatMessage.assistant("the shy okapi"))
    store.put_message(versions, LOCAL_OWNER, 2, ChatMessage.assistant("a zebra"), parent=0)
    store.engine.dispose()
    process = scripted_app(_model_server.base_url, data)
    yield process
    process.stop()


def test_a_large_history_in_pages_searched_with_actions_in_a_dialog(
    browser, large_history, artifacts
):
    context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 900})
    try:
        chat = ChatPage(context.new_page()).open(large_history.url)
        open_history(chat)
        page = chat.page
        page.get_by_text("1–50 of 2,001").wait_for()
        rows = page.locator("[class*='st-key-conversation_']")
        rows.nth(49).wait_for()  # the rows are drawn after the counts
        assert rows.count() == 50
        page.screenshot(path=artifacts / "history-large.png", full_page=True)
        page.get_by_role("button", name="Next").click()
        page.get_by_text("51–100 of 2,001").wait_for()
        assert card(chat, "Conversation 1950").count() == 1

        page.get_by_label("Search conversations").fill("OKAPI")
        page.get_by_label("Search conversations").press("Enter")
        page.get_by_text("1–1 of 1").wait_for()
        found = card(chat, "Two answers")
        found.get_by_text("in another version, not the one on screen").wait_for()
        assert found.locator("span", has_text="okapi").count() >= 1  # the words, marked
        page.screenshot(path=artifacts / "history-search.png", full_page=True)

        found.get_by_role("button").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Title").fill("Okapi or zebra")
        dialog.get_by_role("button", name="Save").click()
        dialog.wait_for(state="detached")
        card(chat, "Okapi or zebra").wait_for()

        open_from_card(chat, "Okapi or zebra")
        page.locator(chat.INPUT).wait_for()
        page.get_by_text("a zebra").wait_for()
        assert "?c=" in page.url
    finally:
        context.close()


def _padded_export(path, title: str, size: int) -> None:
    """An app export of one conversation, ``size`` bytes long (spaces after its JSON)."""
    document = json.dumps({"title": title, "messages": [{"role": "user", "content": title}]})
    path.write_bytes(document.encode() + b" " * (size - len(document)))


def test_an_import_over_25_mb_is_read_and_one_over_the_limit_refused_by_the_app(
    open_chat, tmp_path
):
    chat = open_chat()
    open_history(chat)
    # the expander's own label (its file box, once drawn, carries the same words)
    chat.page.locator("summary", has_text="Import conversations").click()
    box = chat.page.locator(".st-key-import_file")
    chat.page.get_by_text("Up to 47.7 MB.").wait_for()
    assert "per file" not in box.inner_text()  # the limit is stated once, by the app
    title = f"large import {uuid.uuid4().hex[:8]}"
    _padded_export(tmp_path / "large.json", title, 30_000_000)
    box.locator("input[type=file]").set_input_files(tmp_path / "large.json")
    chat.page.get_by_text("Imported 1 conversations.").wait_for()
    card(chat, title).wait_for()

    _padded_export(tmp_path / "too large.json", "too large", 50_500_000)
    box.locator("input[type=file]").set_input_files(tmp_path / "too large.json")
    chat.page.get_by_text("This file is 48.2 MB: files up to 47.7 MB can be imported.").wait_for()
