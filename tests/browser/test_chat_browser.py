"""The app under ``streamlit run``, as people see it in Chromium."""

from __future__ import annotations

import itertools

import pytest

from chat_core.answers.redraw_pace import CURSOR
from tests.support.scripted_server import Reply, tokenize

pytestmark = pytest.mark.browser

ANSWER = (
    "Streaming works: here is a list\n\n- one\n- two\n\n"
    "and some `code`, then **bold** text to finish the answer."
)


def test_an_answer_streams_token_by_token_and_ends_right(open_chat, model_server, artifacts):
    chat = open_chat()
    model_server.queue(Reply.text(ANSWER, tokens_per_second=30))
    chat.record_answers()
    chat.send("Tell me something")
    final = chat.wait_for_answer("to finish the answer.", count=2)

    partials = [text for _, text in chat.recorded() if CURSOR in text]
    assert len(partials) >= 5, "the answer should appear piece by piece, with a cursor"
    assert all(len(a) <= len(b) for a, b in itertools.pairwise(partials))
    assert CURSOR not in final
    assert "Streaming works: here is a list" in final and "bold text to finish" in final
    assert chat.page.locator('[data-testid="stChatMessage"] li').count() == 2
    chat.page.screenshot(path=artifacts / "chat-streamed.png", full_page=True)


def test_japanese_input_and_output_come_through_intact(open_chat, model_server, artifacts):
    chat = open_chat(locale="ja-JP")
    question = "日本の首都はどこですか？🗼"
    chat.send(question)
    assert chat.wait_for_answer(f"Echo: {question}", count=2).endswith(f"Echo: {question}")

    # An answer whose bytes are split inside multi-byte characters on the wire.
    answer = "東京です。富士山🗻も見えます。"
    model_server.queue(Reply.split_bytes(tokenize(answer), every=5))
    chat.send("もう一度")
    assert chat.wait_for_answer(answer, count=4).strip().endswith(answer)
    assert model_server.chat_requests[0].messages[-1]["content"] == question
    chat.page.screenshot(path=artifacts / "chat-japanese.png", full_page=True)


def test_ten_visitors_at_once_each_get_only_their_own_answer(open_chat, model_server):
    model_server.script = lambda body: Reply.text(
        f"Echo: {body['messages'][-1]['content']}", tokens_per_second=60
    )
    pages = [open_chat() for _ in range(10)]
    tokens = [f"visitor-{i}-token-{i * 7919 % 1000:03d}" for i in range(10)]
    for chat, token in zip(pages, tokens, strict=True):
        chat.send(token)
    for chat, token in zip(pages, tokens, strict=True):
        chat.wait_for_answer(token, count=2, timeout=60)
    for chat, token in zip(pages, tokens, strict=True):
        page_text = "\n".join(chat.messages())
        assert token in page_text
        assert [t for t in tokens if t != token and t in page_text] == []


def test_stop_keeps_the_partial_answer_and_the_chat_carries_on(open_chat, model_server, artifacts):
    chat = open_chat()
    model_server.queue(Reply.text("word " * 300, tokens_per_second=20))
    chat.send("Talk for a long time")
    chat.page.wait_for_function(
        "() => document.body.innerText.split('word').length > 10", timeout=20_000
    )
    chat.page.locator(".st-key-stop_answer button").click()
    chat.page.get_by_text("Stopped. The answer above is incomplete.").wait_for(timeout=20_000)
    stopped = chat.messages()[1]
    assert 10 <= stopped.count("word") < 300
    assert CURSOR not in stopped
    chat.page.screenshot(path=artifacts / "chat-stopped.png", full_page=True)

    chat.send("Are you still there?")
    chat.wait_for_answer("Echo: Are you still there?", count=4)
    last = model_server.chat_requests[-1].messages
    assert last[-2]["role"] == "assistant" and last[-2]["content"].startswith("word word")
