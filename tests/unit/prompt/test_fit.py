""" "As much as fits": the window by tokens, and a question too long for the context."""

from __future__ import annotations

import streamlit as st

from chat_core.conversation.messages import ChatMessage
from chat_core.errors import ErrorKind
from chat_core.files.attachments import read_upload
from chat_core.prompt.fit import (
    MAX_HISTORY_CHARS,
    context_refusal,
    fit_start,
    fit_window,
    message_chars,
    sent_tokens,
)
from chat_core.provider.local_server import LARGEST_CONTEXT, context_length
from chat_core.settings.settings import Settings
from tests.app.test_app import bubbles, send
from tests.support.app_server import open_model_settings
from tests.support.files import image_bytes
from tests.support.turns import build_messages


def _history(*pairs: tuple[str, str]) -> list[ChatMessage]:
    return [m for q, a in pairs for m in (ChatMessage.user(q), ChatMessage.assistant(a))]


def test_the_most_recent_exchanges_that_fit_are_sent():
    history = _history(("old " * 300, "x"), ("middle", "y"), ("new", "z"))
    cost = sum(sent_tokens(m) for m in history[2:])
    assert [m.content for m in fit_window(history, cost)] == ["middle", "y", "new", "z"]
    assert fit_start(history, fit_window(history, cost)) == 2
    assert fit_window(history, cost - 1) == history[4:]  # only the newest fits
    assert fit_window(history, 0) == [] and fit_start(history, []) == len(history)


def test_an_exchange_too_big_ends_the_window_nothing_older_skips_past_it():
    history = _history(("small", "a"), ("big " * 2000, "b"), ("new", "c"))
    assert [m.content for m in fit_window(history, 500)] == ["new", "c"]


def test_an_attachment_counts_with_its_question():
    notes = read_upload("notes.txt", ("長い文章。" * 2000).encode(), text_budget=100_000)
    question = ChatMessage.user("summarise", attachments=[notes])
    assert sent_tokens(question) > sent_tokens(ChatMessage.user("summarise")) + 1000


def test_a_question_that_cannot_fit_alone_is_refused_with_the_numbers():
    notes = read_upload("notes.txt", ("word " * 20_000).encode(), text_budget=200_000)
    question = ChatMessage.user("read this", attachments=[notes])
    refusal = context_refusal(
        sent_tokens(question), context_tokens=8_192, max_tokens=512, system_prompt="s"
    )
    assert refusal.kind is ErrorKind.DOES_NOT_FIT
    assert refusal.details["context"] == "8,192"
    fine = context_refusal(
        sent_tokens(ChatMessage.user("hi")), context_tokens=8_192, max_tokens=512, system_prompt="s"
    )
    assert fine is None


def test_the_context_length_a_server_reports_is_read(model_server):
    model_server.context_lengths["scripted-small"] = 32_768
    assert context_length(model_server.base_url, "scripted-small") == 32_768
    assert context_length(model_server.base_url, "scripted-large") is None
    assert context_length("http://127.0.0.1:9/v1", "any") is None  # nobody there


def test_a_context_a_server_claims_is_believed_up_to_the_largest_served(model_server):
    model_server.context_lengths["scripted-small"] = 10**12
    assert context_length(model_server.base_url, "scripted-small") == LARGEST_CONTEXT


def test_one_request_carries_at_most_max_history_chars_of_earlier_exchanges():
    """Whatever the context: a word of 900,000 letters is one token by the estimate
    (and few by a tokenizer), so tokens alone would let 9 MB of history through."""
    history = _history(*[("x" * 900_000, f"a{n}") for n in range(10)])
    settings = Settings(model="m", history_fit=True, context_tokens=10_000_000)
    sent = build_messages(history, "new", settings, language="en")
    carried = sum(len(m.content) for m in sent[1:-1])
    assert 0 < carried <= MAX_HISTORY_CHARS
    assert sent[-2].content == "a9"  # the newest exchanges, as ever
    assert len(fit_window(history, 10**9, chars=1_800_010)) == 4


def test_an_image_counts_as_the_base64_it_is_sent_as():
    png = read_upload("cat.png", image_bytes(), text_budget=1000)
    question = ChatMessage.user("look", attachments=[png])
    assert message_chars(question) == len("look") + 4 * -(-png.size // 3)


def test_a_long_attachment_leaves_out_older_exchanges_instead_of_failing(
    clean_env, app, model_server
):
    """Through the page: the server reports a small context; older exchanges give way."""
    st.cache_data.clear()
    model_server.context_lengths["scripted-small"] = 2_048
    open_model_settings(app).run()
    app.sidebar.toggle(key="sidebar_history_fit").set_value(True).run()
    first, third = " ".join(["first"] * 300), " ".join(["third"] * 500)
    send(app, first)
    send(app, "second")
    sent = [m["content"] for m in model_server.chat_requests[-1].messages[1:]]
    assert sent == [first, f"Echo: {first}", "second"]
    send(app, third)  # this and its answer leave no room for the first exchange
    send(app, "fourth")
    sent = [m["content"] for m in model_server.chat_requests[-1].messages[1:]]
    assert sent == ["second", "Echo: second", third, f"Echo: {third}", "fourth"]
    assert any(c.value.startswith("Earlier messages are not sent") for c in app.caption)
    requests = len(model_server.chat_requests)
    send(app, " ".join(["big"] * 4_000))  # over the context alone: refused before sending, kept
    assert bubbles(app)[-1][0] == "user"
    assert any("too long for the model" in e.value for e in app.error)
    assert len(model_server.chat_requests) == requests
