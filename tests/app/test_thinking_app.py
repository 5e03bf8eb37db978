"""Thinking models through the app (AppTest): thoughts shown apart, stored, never sent back."""

from __future__ import annotations

import json

import pytest

from chat_core.identity import LOCAL_OWNER
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from tests.app.test_app import send
from tests.support import server_shapes
from tests.support.app_server import new_app, open_model_settings
from tests.support.scripted_server import Reply


@pytest.mark.parametrize("make_shape", server_shapes.SHAPES.values(), ids=server_shapes.SHAPES)
def test_each_server_shape_streams_right_in_the_page(app, model_server, tmp_path, make_shape):
    """Answer, thoughts, finish and usage as each real server streams them, cut anywhere."""
    shape = make_shape()
    model_server.queue(shape.reply(every=7))  # cut inside tags and characters too
    app.run()
    send(app, "こんにちは")
    answer = app.session_state["conversation"].messages[-1]
    assert (answer.content, answer.status.value, answer.error) == (shape.answer, "complete", None)
    shown = [md.value for md in app.chat_message[-1].markdown]
    assert any("How can I help?" in text for text in shown)
    if shape.thinking:
        assert answer.thinking.text == shape.thinking and answer.thinking.ended
        expander = app.chat_message[-1].expander[0]
        assert expander.label.startswith("Thought for")
        opening = shape.thinking.split(",")[0]
        assert sum(opening in text for text in shown) == 1  # in the block only
    else:
        assert answer.thinking is None and not app.chat_message[-1].expander
    if shape.output_tokens is not None:
        usage = answer.usage
        assert (usage.input_tokens, usage.output_tokens, usage.estimated) == (
            shape.input_tokens,
            shape.output_tokens,
            False,
        )
        assert usage.reasoning_tokens == (shape.reasoning_tokens or 0)
        if shape.reasoning_tokens:
            caption = " ".join(c.value for c in app.chat_message[-1].caption)
            assert f"of which {shape.reasoning_tokens:,} thinking" in caption

    stored = ConversationStore(sqlite_url(tmp_path / "data"))
    (summary,) = stored.list(LOCAL_OWNER)
    kept = stored.load(summary.id, LOCAL_OWNER).messages[-1]
    assert (kept.content, kept.thinking) == (shape.answer, answer.thinking)

    send(app, "again")
    sent = model_server.chat_requests[-1].messages
    assert sent[-2] == {"role": "assistant", "content": shape.answer}  # no thinking, ever


def test_a_stream_cut_while_thinking_keeps_the_thoughts_and_says_there_is_no_answer(
    app, model_server
):
    shape = server_shapes.vllm()
    events = b"".join(shape.chunks).split(b"\n\n")
    answer_starts = next(i for i, event in enumerate(events) if _has_content(event))
    cut = b"\n\n".join(events[:answer_starts]) + b"\n\n"  # thoughts only, then the cut
    model_server.queue(Reply(raw_chunks=[cut], send_done=False))
    app.run()
    send(app, "think and stop")
    answer = app.session_state["conversation"].messages[-1]
    assert answer.content == "" and answer.thinking is not None
    assert not answer.thinking.ended
    captions = [c.value for c in app.chat_message[-1].caption]
    assert any("stopped while it was still thinking" in c for c in captions)


def _has_content(event: bytes) -> bool:
    """Whether an SSE event carries answer text (not only thinking)."""
    if not event.startswith(b"data: {"):
        return False
    choices = json.loads(event[len(b"data: ") :]).get("choices") or [{}]
    return bool((choices[0].get("delta") or {}).get("content"))


def _event(payload: dict) -> bytes:
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def test_a_reasoning_model_that_spends_max_tokens_thinking_says_so(app, model_server, clean_env):
    """No empty answer: the page says the limit went to thinking and what to do."""
    clean_env.setenv("CHAT_MAX_TOKENS", "64")
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    thinking = [{"index": 0, "delta": {"reasoning_content": "Let me see. " * 5}}]
    stop = [{"index": 0, "delta": {}, "finish_reason": "length"}]
    usage = {
        "prompt_tokens": 10,
        "completion_tokens": 64,
        "total_tokens": 74,
        "completion_tokens_details": {"reasoning_tokens": 64},
    }
    model_server.queue(
        Reply(
            raw_chunks=[
                _event(chunk | {"choices": thinking}),
                _event(chunk | {"choices": stop}),
                _event(chunk | {"choices": [], "usage": usage}),
            ]
        )
    )
    app.run()
    send(app, "a hard question")
    answer = app.session_state["conversation"].messages[-1]
    assert answer.error.kind.value == "thought_too_long" and answer.content == ""
    assert "spent all 64 tokens thinking" in app.error[0].value
    assert app.button(key="retry_last").label == "Retry"


def test_reasoning_models_get_an_effort_choice_and_no_temperature(app, model_server, clean_env):
    clean_env.setenv("CHAT_MODEL", "gpt-5-mini")
    clean_env.setenv("CHAT_REASONING_EFFORT", "high")
    open_model_settings(app).run()
    assert "Reasoning effort" in [s.label for s in app.sidebar.selectbox]
    send(app, "think hard")
    body = model_server.chat_requests[-1].body
    assert body["reasoning_effort"] == "high" and "temperature" not in body
    assert body.get("max_completion_tokens", body.get("max_tokens")) == 512

    clean_env.setenv("CHAT_MODEL", "scripted-small")
    plain = open_model_settings(new_app()).run()
    assert "Reasoning effort" not in [s.label for s in plain.sidebar.selectbox]
    send(plain, "no thinking")
    body = model_server.chat_requests[-1].body
    assert "reasoning_effort" not in body and body["temperature"] == 0.0


def test_the_usage_page_counts_thinking_tokens_where_servers_report_them(app, model_server):
    model_server.queue(server_shapes.deepseek().reply())
    app.run()
    send(app, "think")
    app.switch_page("pages/usage.py").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert "reasoning_tokens" in table.columns
    assert int(table["reasoning_tokens"].sum()) == server_shapes.deepseek().reasoning_tokens
