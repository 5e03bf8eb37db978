"""Versions, editing any question, and typing while an answer streams (Chromium)."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.support.scripted_server import Reply

pytestmark = pytest.mark.browser

WORDS = {
    "en-US": {
        "regenerate": "Regenerate",
        "queued": "Sent when the answer above ends: ",
        "unqueue": "Don't send this message",
    },
    "ja-JP": {
        "regenerate": "もう一度生成",
        "queued": "上の回答が終わったら送信します：",
        "unqueue": "このメッセージを送らない",
    },
}


def _wait_text(chat, text: str) -> None:
    chat.page.wait_for_function("(t) => document.body.innerText.includes(t)", arg=text)


def _settled(chat) -> None:
    """The run after an answer has drawn the page with its actions."""
    chat.page.locator(".st-key-stop_answer").wait_for(state="detached")
    chat.page.locator(".st-key-retry_last").wait_for()


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_versions_and_editing_an_earlier_question(open_chat, model_server, locale, artifacts):
    words, token = WORDS[locale], uuid.uuid4().hex[:6]
    chat = open_chat(locale=locale)
    chat.send(f"one {token}")
    chat.wait_for_answer(f"Echo: one {token}", count=2)
    chat.send(f"tow {token}")
    chat.wait_for_answer(f"Echo: tow {token}", count=4)
    _settled(chat)

    model_server.queue(Reply.text(f"second take {token} " * 12, tokens_per_second=30))
    chat.page.locator(".st-key-retry_last").get_by_role("button", name=words["regenerate"]).click()
    chat.page.locator(".st-key-stop_answer").wait_for()
    seen_during = []
    while chat.page.locator(".st-key-stop_answer").count():
        seen_during.append(chat.messages())
        time.sleep(0.1)
    for shown in seen_during:  # the question is on the page once while the answer streams
        assert sum(text.strip() == f"tow {token}" for text in shown) <= 1, shown
    _settled(chat)
    chat.page.get_by_text("2 / 2", exact=True).wait_for()
    chat.page.screenshot(path=artifacts / f"versions-{locale}.png")

    older = "Previous version" if locale == "en-US" else "前のバージョン"
    chat.page.get_by_role("button", name=older).click()  # back to the first answer
    chat.page.get_by_text("1 / 2", exact=True).wait_for()
    _wait_text(chat, f"Echo: tow {token}")
    assert f"second take {token}" not in " ".join(chat.messages())

    edit = "Edit" if locale == "en-US" else "編集"
    chat.page.locator(".st-key-edit_0").get_by_role("button", name=edit).click()  # the first
    box = chat.page.locator(".st-key-edit_box textarea")
    box.fill(f"uno {token}")
    box.press("Control+Enter")
    chat.wait_for_answer(f"Echo: uno {token}", count=2)
    _settled(chat)
    assert [m.strip() for m in chat.messages()] == [f"uno {token}", f"Echo: uno {token}"]
    chat.page.get_by_text("2 / 2", exact=True).wait_for()
    chat.page.screenshot(path=artifacts / f"edited-branch-{locale}.png")

    chat.page.get_by_role("button", name=older).click()  # the old branch, all of it
    _wait_text(chat, f"Echo: tow {token}")
    assert len(chat.messages()) == 4

    chat.page.locator(".st-key-edit_last").get_by_role("button", name=edit).click()
    box = chat.page.locator(".st-key-edit_box textarea")
    box.fill("never sent")
    box.press("Escape")
    box.wait_for(state="detached")
    assert "never sent" not in " ".join(chat.messages())
    assert not any("never sent" in r.messages[-1]["content"] for r in model_server.chat_requests)


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_messages_typed_while_an_answer_streams_wait_their_turn(
    open_chat, model_server, locale, artifacts
):
    words, token = WORDS[locale], uuid.uuid4().hex[:6]
    chat = open_chat(locale=locale)
    model_server.queue(Reply.text(f"slow answer {token} " * 30, tokens_per_second=25))
    chat.send(f"first {token}")
    chat.page.locator(".st-key-stop_answer").wait_for()
    chat.send(f"second {token}")
    chat.page.get_by_text(f"{words['queued']}second {token}").wait_for()
    chat.send(f"third {token}")
    chat.page.get_by_text(f"{words['queued']}third {token}").wait_for()
    chat.send(f"taken back {token}")
    waiting = chat.page.get_by_text(f"{words['queued']}taken back {token}")
    waiting.wait_for()
    chat.page.get_by_role("button", name=words["unqueue"]).last.click()
    waiting.wait_for(state="detached")
    chat.page.screenshot(path=artifacts / f"queued-{locale}.png")
    chat.wait_for_answer(f"Echo: third {token}", count=6, timeout=60)
    assert [m.strip() for m in chat.messages()] == [
        f"first {token}",
        (f"slow answer {token} " * 30).strip(),
        f"second {token}",
        f"Echo: second {token}",
        f"third {token}",
        f"Echo: third {token}",
    ]
    assert not any(
        f"taken back {token}" in r.messages[-1]["content"] for r in model_server.chat_requests
    )
