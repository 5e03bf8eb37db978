"""Faults of the model server, as the visitor sees them in the page (AppTest)."""

from __future__ import annotations

import logging

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_app import bubbles, send
from tests.conftest import TEST_KEY
from tests.support.app_server import new_app
from tests.support.scripted_server import Reply

PARTIAL = "Part one of the answer, then more words that never arrive"


@pytest.fixture
def app(app, clean_env):
    clean_env.setenv("OPENAI_TIMEOUT", "1")
    clean_env.setenv("OPENAI_MAX_RETRIES", "1")
    return app


def host(model_server) -> str:
    return model_server.base_url.split("/")[2]


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


RETRY_FAST = {"retry-after-ms": "10"}

FAULTS = {
    "401 invalid key": (
        [Reply.failure(401, f"Incorrect API key provided: {TEST_KEY}", code="invalid_api_key")],
        "The API key was rejected by {host}.",
        False,
    ),
    "403 permission": (
        [Reply.failure(403, "not allowed")],
        'This API key may not use the model "scripted-small".',
        False,
    ),
    "404 unknown model": (
        [Reply.failure(404, "The model `scripted-small` does not exist")],
        'The model "scripted-small" is not known to {host}.',
        False,
    ),
    "400 context length": (
        [Reply.failure(400, "maximum context length is 8192", code="context_length_exceeded")],
        'The conversation is too long for the model "scripted-small".',
        False,
    ),
    "429 rate limit": (
        [Reply.failure(429, "slow down", headers=RETRY_FAST)] * 2,
        "{host} is rate-limiting requests.",
        False,
    ),
    "500": ([Reply.failure(500, "boom", headers=RETRY_FAST)] * 2, "HTTP 500", False),
    "502": ([Reply.failure(502, "bad gateway", headers=RETRY_FAST)] * 2, "HTTP 502", False),
    "503": ([Reply.failure(503, "unavailable", headers=RETRY_FAST)] * 2, "HTTP 503", False),
    "no first token in time": (
        [Reply.text("late", first_token_delay=1.5)] * 2,
        "The model at {host} did not answer in ",  # then the seconds it waited
        False,
    ),
    "stream stalls": (
        [Reply.text(PARTIAL, stall_after=5, stall_seconds=2)],
        "The answer from {host} stopped arriving for 1 s.",
        True,
    ),
    "stream cut": (
        [Reply.text(PARTIAL, cut_after=5)],
        "The answer from {host} was cut off before its end.",
        True,
    ),
    "malformed SSE line": (
        [Reply.text(PARTIAL, malformed_after=5)],
        "The answer from {host} was cut off before its end.",
        True,
    ),
    "no end marker": (
        [Reply.text(PARTIAL, end_without_done=True)],
        "The answer from {host} was cut off before its end.",
        True,
    ),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_gives_a_clear_message_and_loses_nothing(app, model_server, caplog, fault):
    replies, message, keeps_partial = FAULTS[fault]
    app.run()
    send(app, "first question")
    model_server.queue(*replies)
    with caplog.at_level(logging.WARNING):
        send(app, "the question that fails")

    shown = bubbles(app)
    assert shown[2] == ("user", "the question that fails")
    assert [e for e in errors(app) if message.format(host=host(model_server)) in e], errors(app)
    if keeps_partial:
        assert shown[3][0] == "assistant" and shown[3][1].startswith("Part one")
        assert "Incomplete answer." in captions(app)
    assert [b.label for b in app.button if b.key == "retry_last"] == ["Retry"]
    assert TEST_KEY not in str(app.main) and TEST_KEY not in caplog.text
    assert "answer failed" in caplog.text  # the full error goes to the server log

    send(app, "next question")
    assert bubbles(app)[-1] == ("assistant", "Echo: next question")
    window = [m["content"] for m in model_server.chat_requests[-1].messages[1:]]
    assert window == ["first question", "Echo: first question", "next question"]


def test_rate_limits_and_server_errors_are_retried_before_failing(app, model_server):
    app.run()
    model_server.queue(
        Reply.failure(429, "slow down", headers=RETRY_FAST),
    )
    send(app, "retried")
    assert bubbles(app)[-1] == ("assistant", "Echo: retried")
    assert len(model_server.chat_requests) == 2
    model_server.queue(Reply.failure(503, "unavailable", headers=RETRY_FAST))
    send(app, "again")
    assert bubbles(app)[-1] == ("assistant", "Echo: again")
    assert errors(app) == []


@pytest.mark.parametrize(
    ("base_url", "host"),
    [
        ("http://127.0.0.1:9/secret/path/v1", "127.0.0.1:9"),  # connection refused
        ("http://no-such-host.invalid/v1", "no-such-host.invalid"),  # DNS failure
    ],
)
def test_an_unreachable_server_names_only_its_host(clean_env, base_url, host):
    clean_env.setenv("OPENAI_BASE_URL", base_url)
    clean_env.setenv("OPENAI_MAX_RETRIES", "0")
    at = new_app().run()
    send(at, "anyone?")
    assert errors(at) == [f"The model server at {host} cannot be reached."]
    assert bubbles(at) == [("user", "anyone?"), ("assistant", "")]  # the error in its place


def test_an_answer_cut_at_max_tokens_is_kept_with_a_notice(app, model_server):
    app.run()
    model_server.queue(Reply.text("A long answer that got cut", finish_reason="length"))
    send(app, "be long")
    assert bubbles(app)[-1] == ("assistant", "A long answer that got cut")
    assert any("reached the limit of 512 tokens" in c for c in captions(app))
    assert errors(app) == []
    send(app, "go on")
    assert model_server.chat_requests[-1].messages[-2]["content"] == "A long answer that got cut"


def test_retry_replaces_the_failed_answer(app, model_server):
    app.run()
    model_server.queue(*[Reply.failure(500, "boom", headers=RETRY_FAST)] * 2)
    send(app, "try me")
    app.button(key="retry_last").click().run()
    assert bubbles(app) == [("user", "try me"), ("assistant", "Echo: try me")]
    assert errors(app) == []
    assert model_server.chat_requests[-1].messages[-1]["content"] == "try me"


def test_regenerate_asks_again_with_the_same_window(app, model_server):
    app.run()
    send(app, "one")
    model_server.queue(Reply.text("first take"))
    send(app, "two")
    app.button(key="retry_last").click().run()
    assert bubbles(app)[-1] == ("assistant", "Echo: two")
    assert len(bubbles(app)) == 4
    first, again = model_server.chat_requests[-2:]
    assert first.messages == again.messages


def test_edit_the_last_message_and_resend_it(app, model_server):
    app.run()
    send(app, "one")
    send(app, "tow")
    app.button(key="edit_last").click().run()
    assert app.text_area(key="edit_box").value == "tow"
    app.text_area(key="edit_box").set_value("two")
    next(b for b in app.button if b.label == "Send").click().run()
    assert bubbles(app) == [
        ("user", "one"),
        ("assistant", "Echo: one"),
        ("user", "two"),
        ("assistant", "Echo: two"),
    ]
    assert [m["content"] for m in model_server.chat_requests[-1].messages[1:]] == [
        "one",
        "Echo: one",
        "two",
    ]


def test_a_kept_partial_answer_is_fed_back(app, model_server):
    app.run()
    model_server.queue(Reply.text(PARTIAL, cut_after=5))
    send(app, "cut me")
    app.button(key="keep_partial").click().run()
    assert "Incomplete answer, kept in the conversation." in captions(app)
    assert errors(app) == []
    send(app, "continue")
    window = [m["content"] for m in model_server.chat_requests[-1].messages[1:]]
    assert window[0] == "cut me" and window[1].startswith("Part one") and window[2] == "continue"
