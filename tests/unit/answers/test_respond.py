"""A turn's plan sent by ``respond`` through the real openai client and LangChain, against
the scripted server."""

import base64
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler

from chat_core.answers import run as answering
from chat_core.conversation.messages import ChatMessage
from chat_core.files.attachments import read_upload
from chat_core.prompt.system_prompts import DEFAULT_SYSTEM_PROMPTS
from chat_core.settings.settings import Settings
from tests.support.files import image_bytes
from tests.support.scripted_server import Reply
from tests.support.turns import plan
from tests.unit.prompt.test_window import conversation


class Tokens(BaseCallbackHandler):
    """Every token LangChain hands to a callback handler, in order."""

    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


def respond(history, question, settings, *, language, handler=None):
    """The plan for ``question``, sent."""
    turn = plan(history, question, settings, language)
    return answering.respond(turn, settings, handler=handler or Tokens())


@pytest.fixture
def settings(model_server):
    return Settings(api_key="test-key", base_url=model_server.base_url, model="scripted-small")


def test_the_answer_streams_token_by_token_and_ends_without_cursor(model_server, settings):
    model_server.queue(Reply(tokens=["Hello", ",", " wor", "ld"]))
    handler = Tokens()
    reply = respond([], "hi", settings, language="en", handler=handler)
    assert (reply.text, reply.finish_reason) == ("Hello, world", "stop")
    assert [token for token in handler.tokens if token] == ["Hello", ",", " wor", "ld"]


def test_the_request_carries_system_prompt_window_and_new_message(model_server, settings):
    respond(conversation(5), "q6", settings, language="ja")
    (request,) = model_server.chat_requests
    assert request.messages == [
        {"role": "system", "content": DEFAULT_SYSTEM_PROMPTS["ja"]},
        {"role": "user", "content": "q3"},
        {"role": "assistant", "content": "a3"},
        {"role": "user", "content": "q4"},
        {"role": "assistant", "content": "a4"},
        {"role": "user", "content": "q5"},
        {"role": "assistant", "content": "a5"},
        {"role": "user", "content": "q6"},
    ]
    body = request.body
    assert body["stream"] is True
    assert body["model"] == "scripted-small"
    assert body["temperature"] == 0.0
    assert body.get("max_completion_tokens", body.get("max_tokens")) == 512
    assert request.headers["authorization"] == "Bearer test-key"


def test_settings_shape_the_request(model_server, settings):
    from dataclasses import replace

    custom = replace(
        settings, model="scripted-large", temperature=0.7, max_tokens=64, history_window=1
    )
    respond(conversation(3), "next", custom, language="en")
    body = model_server.chat_requests[0].body
    assert (body["model"], body["temperature"]) == ("scripted-large", 0.7)
    assert body.get("max_completion_tokens", body.get("max_tokens")) == 64
    assert [m["content"] for m in body["messages"][1:]] == ["q3", "a3", "next"]


def test_japanese_split_across_chunks_arrives_intact(model_server, settings):
    text = "日本語の回答です。絵文字も🙂大丈夫。"
    # Split the SSE body inside multi-byte characters, as a proxy may do.
    model_server.queue(Reply.split_bytes([text[:3], text[3:9], text[9:]], every=7))
    handler = Tokens()
    answer = respond([], "質問", settings, language="ja", handler=handler)
    assert answer.text == text
    assert "".join(handler.tokens) == text
    assert all("\ufffd" not in token for token in handler.tokens)


def test_a_local_server_needs_no_key(model_server):
    keyless = Settings(base_url=model_server.base_url, model="llama3")
    answer = respond([], "hello", keyless, language="en")
    assert answer.text == "Echo: hello"


def test_the_models_of_a_local_server_are_listed(model_server):
    from chat_core.provider.local_server import list_models

    assert list_models(model_server.base_url) == ["scripted-large", "scripted-small"]
    assert list_models("http://127.0.0.1:9/v1", timeout=0.5) is None


def test_an_image_and_a_text_file_reach_the_server_as_content_parts(model_server, settings):
    image = read_upload("chart.png", image_bytes(), text_budget=10_000)
    notes = read_upload("notes.csv", "月,売上\n1,100\n".encode(), text_budget=10_000)
    question = ChatMessage.user("What do these show?", attachments=[image, notes])
    respond([], question, settings, language="en")
    (request,) = model_server.chat_requests
    assert request.messages[-1] == {
        "role": "user",
        "content": [
            {
                "type": "text",
                "text": "What do these show?\n\nnotes.csv:\n```csv\n月,売上\n1,100\n```",
            },
            {
                "type": "image_url",
                "image_url": {
                    "url": "data:image/png;base64," + base64.b64encode(image_bytes()).decode()
                },
            },
        ],
    }


def test_files_of_earlier_questions_stay_in_the_window(model_server, settings):
    notes = read_upload("spec.md", b"# Spec", text_budget=10_000)
    history = [ChatMessage.user("Read this", attachments=[notes]), ChatMessage.assistant("Done")]
    respond(history, "And now?", settings, language="en")
    messages = model_server.chat_requests[0].messages
    assert messages[1]["content"] == [
        {"type": "text", "text": "Read this\n\nspec.md:\n```md\n# Spec\n```"}
    ]
    assert messages[-1]["content"] == "And now?"


def test_the_page_hears_of_each_retry_before_the_answer(model_server, settings):
    """The openai client retries a 503 by itself; the page must not show only a cursor."""
    from chat_core.provider.chat_model import reporting_retries

    model_server.queue(
        Reply.failure(503, headers={"retry-after": "0"}),
        Reply.failure(429, headers={"retry-after": "0"}),
        Reply.text("at last"),
    )
    heard: list[int] = []
    with reporting_retries(heard.append):
        reply = respond([], "hi", settings, language="en")
    assert reply.text == "at last"
    assert heard == [503, 429]
    respond([], "again", settings, language="en")
    assert heard == [503, 429]  # nobody listens outside the block
