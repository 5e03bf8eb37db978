"""Thinking kept apart from the answer: the <think> splitter, the reasoning delta fields, and
ThinkingChatOpenAI through the openai client and LangChain against each real server's shape."""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessageChunk

from chat_core.provider import chat_model as llm
from chat_core.provider.thinking_model import ThinkingChatOpenAI, reasoning_of
from chat_core.provider.thinking_split import (
    CLOSE_TAG,
    OPEN_TAG,
    Split,
    ThinkSplitter,
    reasoning_delta,
)
from chat_core.settings.settings import Settings
from chat_core.usage.tokens import usage_from
from tests.support import server_shapes
from tests.support.scripted_server import Reply
from tests.support.server_shapes import ANSWER, SHAPES, THINKING
from tests.support.turns import build_messages

SAMPLE = " \n<think>\n考えます: a<b </thin k> </th no  \n</think>\n\n答え: `<think>` と </think> ok"
SAMPLE_SPLIT = Split("考えます: a<b </thin k> </th no", "答え: `<think>` と </think> ok")


def split_thinking(text: str) -> Split:
    """A whole content text taken apart at once."""
    return streamed([text])


def streamed(pieces: list[str]) -> Split:
    splitter = ThinkSplitter()
    result = Split()
    for piece in pieces:
        result += splitter.feed(piece)
    return result + splitter.finish()


def test_the_sample_splits_into_thinking_and_answer():
    assert split_thinking(SAMPLE) == SAMPLE_SPLIT


def test_every_cut_position_gives_the_same_result():
    for i in range(len(SAMPLE) + 1):
        assert streamed([SAMPLE[:i], SAMPLE[i:]]) == SAMPLE_SPLIT, i
        for j in range(i, len(SAMPLE) + 1):
            assert streamed([SAMPLE[:i], SAMPLE[i:j], SAMPLE[j:]]) == SAMPLE_SPLIT, (i, j)
    assert streamed(list(SAMPLE)) == SAMPLE_SPLIT
    assert streamed(["", *SAMPLE, ""]) == SAMPLE_SPLIT


@pytest.mark.parametrize(
    ("pieces", "expected"),
    [
        (["<thi", "nk>", "plan", "</th", "ink>", "\n\n", "done"], Split("plan", "done")),
        (["<think>", "\n\n", "</think>", "\n\n", "Answer"], Split("", "Answer")),
        (["  ", "\n", "Hi"], Split("", "  \nHi")),  # no tag: leading whitespace is answer
        (["\n", "<th", "e answer"], Split("", "\n<the answer")),
        (["  <thi"], Split("", "  <thi")),  # ended inside what looked like a tag
        (["   "], Split()),
    ],
)
def test_pieces_as_servers_cut_them(pieces, expected):
    assert streamed(pieces) == expected


def test_thinking_that_never_closes_is_kept_and_marked():
    splitter = ThinkSplitter()
    assert splitter.feed("<think>\nstill thinking </thi") == Split("still thinking")
    assert splitter.finish() == Split(" </thi")  # the cut tag was thinking text after all
    assert splitter.feed(" more") == Split(" more")  # it is still thinking
    splitter = ThinkSplitter()
    assert splitter.feed("<think>x</think>y") == Split("x", "y")
    assert splitter.feed(" more") == Split("", " more")  # closed: the rest is answer


@pytest.mark.parametrize(
    "text",
    [
        "Use <think> tags: <think>x</think>",
        "x<think>y</think>",
        "```xml\n<think>a</think>\n```",
        "<thinking>not our tag</thinking>",
        "</think> first",
    ],
)
def test_a_tag_that_does_not_open_the_answer_is_answer_text(text):
    assert streamed(list(text)) == Split("", text)
    assert split_thinking(text) == Split("", text)


def test_japanese_and_emoji_thinking():
    text = "<think>\n日本語で考える🙂。まず「質問」を読む。\n</think>\n\n答えは42です🙂"
    expected = Split("日本語で考える🙂。まず「質問」を読む。", "答えは42です🙂")
    assert streamed(list(text)) == expected
    assert streamed([text[i : i + 3] for i in range(0, len(text), 3)]) == expected


def test_at_most_a_partial_tag_of_visible_text_is_held_back():
    inner = "a<b </thi </think" * 20 + "end"
    splitter, emitted = ThinkSplitter(), ""
    splitter.feed(OPEN_TAG)
    for index, char in enumerate(inner):
        emitted += splitter.feed(char).thinking
        fed = inner[: index + 1]
        assert fed.startswith(emitted)
        assert len(fed[len(emitted) :].lstrip()) <= len(CLOSE_TAG) - 1, index  # + whitespace
    assert emitted + splitter.finish().thinking == inner


def _cpu_seconds(size: int) -> float:
    """CPU time to split, character by character, a stream full of partial tags."""
    unit = "a<b </thi  </thinky \n"
    text = OPEN_TAG + unit * (size // len(unit)) + CLOSE_TAG + "x <think> y" * (size // 11)
    best = float("inf")
    for _ in range(3):
        splitter = ThinkSplitter()
        start = time.process_time()
        for char in text:
            splitter.feed(char)
        splitter.finish()
        best = min(best, time.process_time() - start)
    return best


def test_splitting_costs_linear_time():
    small, large = _cpu_seconds(20_000), _cpu_seconds(80_000)
    assert large / max(small, 1e-6) < 8, (small, large)


def _chunk(delta: dict[str, Any] | None) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": None}]}


@pytest.mark.parametrize(
    ("chunk", "expected"),
    [
        (_chunk({"reasoning_content": "vLLM"}), "vLLM"),
        (_chunk({"reasoning": "Ollama", "content": ""}), "Ollama"),
        (_chunk({"content": None, "reasoning_content": "DeepSeek"}), "DeepSeek"),
        (_chunk({"reasoning_content": None, "reasoning": "later"}), "later"),
        (_chunk({"reasoning_content": "", "reasoning": "later"}), "later"),
        (_chunk({"reasoning_content": "same", "reasoning": "same"}), "same"),
        (_chunk({"content": "answer", "reasoning_content": None, "reasoning": None}), ""),
        (_chunk({"content": "answer"}), ""),
        (_chunk({}), ""),
        (_chunk(None), ""),
        ({"choices": [], "usage": {"prompt_tokens": 1}}, ""),
        ({"choices": None}, ""),
        ({}, ""),
    ],
)
def test_the_reasoning_of_a_delta(chunk, expected):
    assert reasoning_delta(chunk) == expected


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_the_reasoning_survives_the_openai_clients_model_dump(field):
    raw = _chunk({field: "hmm", "content": None}) | {"id": "c", "created": 1, "model": "m"}
    raw["object"] = "chat.completion.chunk"
    dumped = openai.types.chat.ChatCompletionChunk.model_validate(raw).model_dump()
    assert reasoning_delta(dumped) == "hmm"


def test_a_converted_chunk_keeps_its_reasoning():
    model = ThinkingChatOpenAI(model="m", api_key="k")
    generation = model._convert_chunk_to_generation_chunk(
        _chunk({"role": "assistant", "content": "", "reasoning": "step 1"}), AIMessageChunk, {}
    )
    assert generation.text == ""
    assert reasoning_of(generation.message) == "step 1"
    plain = model._convert_chunk_to_generation_chunk(_chunk({"content": "hi"}), AIMessageChunk, {})
    assert "reasoning_content" not in plain.message.additional_kwargs


def test_a_non_streamed_answer_keeps_its_reasoning():
    model = ThinkingChatOpenAI(model="m", api_key="k")
    message = {"role": "assistant", "content": "42", "reasoning_content": "6 × 7"}
    result = model._create_chat_result(
        {"choices": [{"index": 0, "message": message, "finish_reason": "stop"}], "model": "m"}
    )
    assert result.generations[0].message.text == "42"
    assert reasoning_of(result.generations[0].message) == "6 × 7"


class Recorder(BaseCallbackHandler):
    """What a page would see, in order: thinking from the reasoning field or from <think>
    in the content, and answer text."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.tokens: list[tuple[str, str]] = []  # (token, reasoning) as LangChain calls
        self.splitter = ThinkSplitter()

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        reasoning = reasoning_of(kwargs["chunk"].message)
        self.tokens.append((token, reasoning))
        if reasoning:
            self.events.append(("thinking", reasoning))
        self._add(self.splitter.feed(token))

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self._add(self.splitter.finish())

    def _add(self, split: Split) -> None:
        if split.thinking:
            self.events.append(("thinking", split.thinking))
        if split.answer:
            self.events.append(("answer", split.answer))

    def text(self, kind: str) -> str:
        return "".join(text for event, text in self.events if event == kind)


@pytest.fixture
def settings(model_server) -> Settings:
    return Settings(api_key="test-key", base_url=model_server.base_url, model="scripted-small")


@pytest.fixture
def model(settings, monkeypatch) -> ThinkingChatOpenAI:
    """make_chat_model with ThinkingChatOpenAI in place of ChatOpenAI (a no-op once
    llm.py builds ThinkingChatOpenAI itself)."""
    monkeypatch.setattr(llm, "ChatOpenAI", ThinkingChatOpenAI, raising=False)
    chat_model = llm.make_chat_model(settings)
    assert isinstance(chat_model, ThinkingChatOpenAI)
    return chat_model


def ask(model: ThinkingChatOpenAI, settings: Settings) -> tuple[Any, Recorder]:
    recorder = Recorder()
    messages = build_messages([], "こんにちは", settings, language="ja")
    return model.invoke(messages, config={"callbacks": [recorder]}), recorder


@pytest.mark.parametrize("every", [None, 7], ids=["events", "cut_every_7_bytes"])
@pytest.mark.parametrize("name", list(SHAPES))
def test_each_server_shape_streams_thinking_answer_finish_and_usage(
    name, every, model_server, model, settings
):
    shape = SHAPES[name]()
    model_server.queue(shape.reply(every=every))
    reply, recorder = ask(model, settings)

    assert (recorder.text("thinking"), recorder.text("answer")) == (shape.thinking, shape.answer)
    kinds = [kind for kind, _ in recorder.events]
    assert kinds == sorted(kinds, key=["thinking", "answer"].index)  # thinking shown first
    whole = (
        split_thinking(reply.text) if shape.inline_think else Split(reasoning_of(reply), reply.text)
    )
    assert whole == Split(shape.thinking, shape.answer)
    assert reply.response_metadata.get("finish_reason") == shape.finish_reason
    assert reply.response_metadata.get("model_name") == shape.model

    usage, expected = reply.usage_metadata, (shape.input_tokens, shape.output_tokens)
    assert (usage["input_tokens"], usage["output_tokens"]) == expected
    assert usage.get("output_token_details", {}).get("reasoning") == shape.reasoning_tokens
    counted = usage_from(usage, prompt_tokens=8, answer=reply.text, model=settings.model)
    assert (counted.input_tokens, counted.output_tokens, counted.estimated) == (*expected, False)
    if "cache_read" in shape.extra:
        assert usage["input_token_details"]["cache_read"] == shape.extra["cache_read"]


def test_reasoning_only_chunks_reach_the_handler_as_empty_tokens(model_server, model, settings):
    model_server.queue(SHAPES["ollama"]().reply())
    seen = ask(model, settings)[1].tokens
    thinking = [(token, reasoning) for token, reasoning in seen if reasoning]
    assert thinking and all(token == "" for token, _ in thinking)
    assert "".join(reasoning for _, reasoning in thinking) == THINKING
    assert "".join(token for token, _ in seen) == ANSWER


@pytest.mark.parametrize("name", ["ollama", "llama_cpp", "deepseek"])
def test_a_stream_cut_while_thinking_keeps_the_thinking(name, model_server, model, settings):
    shape = SHAPES[name]()
    model_server.queue(Reply(raw_chunks=shape.chunks[:12], send_done=False))
    reply, recorder = ask(model, settings)
    thinking = recorder.text("thinking")
    assert thinking and THINKING.startswith(thinking) and thinking != THINKING
    assert (recorder.text("answer"), reply.response_metadata.get("finish_reason")) == ("", None)
    assert bool(recorder.splitter.feed(" more").thinking) == shape.inline_think  # still in it


def test_a_server_that_ignores_include_usage_is_counted_here(model_server, model, settings):
    model_server.queue(server_shapes.ollama(include_usage=False).reply())
    reply, recorder = ask(model, settings)
    assert (recorder.text("thinking"), reply.text) == (THINKING, ANSWER)
    assert not reply.usage_metadata
    assert usage_from(reply.usage_metadata, prompt_tokens=5, answer=reply.text, model="m").estimated
