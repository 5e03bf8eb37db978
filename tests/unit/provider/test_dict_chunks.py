"""Streamed chunks reach LangChain as dicts, with the openai client's retries, timeouts
and error types kept (the real client and LangChain against the scripted server)."""

from __future__ import annotations

import json

import openai
import pytest
from langchain_core.messages import HumanMessage

from chat_core.provider.thinking_model import ThinkingChatOpenAI
from tests.support.scripted_server import Reply


def _model(server, **options) -> ThinkingChatOpenAI:
    return ThinkingChatOpenAI(
        model="scripted-small",
        base_url=server.base_url,
        api_key="test-key-not-real",
        streaming=True,
        stream_usage=True,
        **options,
    )


def test_streamed_chunks_are_dicts_and_make_the_same_message(model_server) -> None:
    model = _model(model_server, max_retries=0)
    model_server.queue(Reply.text("Straight from JSON."))
    with model.client.create(
        model="scripted-small", messages=[{"role": "user", "content": "hi"}], stream=True
    ) as stream:
        chunks = list(stream)
    assert chunks and all(type(chunk) is dict for chunk in chunks)
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])

    model_server.queue(Reply.text("Hello there, in pieces."))
    message = model.invoke([HumanMessage("hi")])
    assert message.content == "Hello there, in pieces."
    assert message.usage_metadata["output_tokens"] > 0


def test_a_non_streamed_call_goes_to_the_real_resource(model_server) -> None:
    model = _model(model_server, max_retries=0).model_copy(update={"streaming": False})
    model_server.queue(Reply.text("Whole answer."))
    assert model.invoke([HumanMessage("hi")]).content == "Whole answer."
    assert model_server.chat_requests[-1].body.get("stream") in (None, False)


def test_the_clients_retries_and_error_types_are_kept(model_server) -> None:
    model = _model(model_server, max_retries=2)
    model_server.queue(
        Reply.failure(429, headers={"retry-after-ms": "10"}),
        Reply.failure(503, headers={"retry-after-ms": "10"}),
        Reply.text("After two retries."),
    )
    assert model.invoke([HumanMessage("hi")]).content == "After two retries."
    assert len(model_server.chat_requests) == 3

    model_server.reset()
    model_server.queue(Reply.failure(401, "bad key"))
    with pytest.raises(openai.AuthenticationError):
        _model(model_server, max_retries=0).invoke([HumanMessage("hi")])


def test_an_error_event_in_the_stream_raises_the_clients_error(model_server) -> None:
    error = json.dumps({"error": {"message": "overloaded mid-stream"}})
    first = {"choices": [{"index": 0, "delta": {"content": "Half"}, "finish_reason": None}]}
    model_server.queue(
        Reply(raw_chunks=[f"data: {json.dumps(first)}\n\n".encode(), f"data: {error}\n\n".encode()])
    )
    with pytest.raises(openai.APIError, match="overloaded mid-stream"):
        _model(model_server, max_retries=0).invoke([HumanMessage("hi")])


def test_request_options_are_sent_as_options_not_body_fields(model_server) -> None:
    model = _model(
        model_server,
        max_retries=0,
        extra_body={"top_k": 5},
        default_headers={"X-Team": "blue"},
        reasoning_effort="low",
    )
    model_server.queue(Reply.text("ok"))
    model.invoke([HumanMessage("hi")])
    request = model_server.chat_requests[-1]
    assert request.body["top_k"] == 5
    assert request.body["reasoning_effort"] == "low"
    assert request.body["stream"] is True
    assert "extra_body" not in request.body and "timeout" not in request.body
    assert request.headers.get("x-team") == "blue" or request.headers.get("X-Team") == "blue"


def test_a_read_timeout_is_the_clients_timeout_error(model_server) -> None:
    model_server.queue(Reply(tokens=["slow"], first_token_delay=2.0))
    with pytest.raises(openai.APITimeoutError):
        _model(model_server, max_retries=0, timeout=0.3).invoke([HumanMessage("hi")])
