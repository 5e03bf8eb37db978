"""A thinking model's thoughts as people see them: live, folded, kept apart (Chromium)."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.support import server_shapes
from tests.support.scripted_server import Reply

pytestmark = pytest.mark.browser

THOUGHTS = "First I list the facts. Then I check each one. " * 6
ANSWER = "Here is the answer, written after thinking."


def test_thinking_streams_live_then_folds_when_the_answer_starts(
    open_chat, model_server, artifacts
):
    """Inline <think> tags (llama.cpp), split across tokens as the server sends them."""
    chat = open_chat()
    model_server.queue(Reply.text(f"<think>{THOUGHTS}</think>{ANSWER}", tokens_per_second=25))
    chat.send("Think first, please")
    live = chat.page.get_by_text(re.compile(r"Thinking… \d+ s"))
    live.wait_for(timeout=20_000)
    chat.page.get_by_text("Then I check each one.").first.wait_for(timeout=20_000)
    chat.page.screenshot(path=artifacts / "thinking-live.png", full_page=True)
    chat.wait_for_answer(ANSWER, count=2, timeout=60)
    folded = chat.page.get_by_text(re.compile(r"Thought for \d+ s"))
    folded.wait_for(timeout=10_000)
    chat.page.screenshot(path=artifacts / "thinking-folded.png", full_page=True)
    # The answer's own text holds no thought, and the model is never sent them back.
    assert "First I list the facts" not in chat.messages()[1].split(ANSWER)[-1]
    chat.send("And now?")
    chat.wait_for_answer("Echo: And now?", count=4, timeout=60)
    assert model_server.chat_requests[-1].messages[-2] == {"role": "assistant", "content": ANSWER}


def test_thinking_in_japanese_from_a_reasoning_content_server(open_chat, model_server, artifacts):
    """vLLM / DeepSeek send thoughts in delta.reasoning_content; the page is in Japanese."""
    chat = open_chat(locale="ja-JP")
    shape = server_shapes.vllm()
    model_server.queue(Reply(raw_chunks=list(shape.chunks), raw_interval=0.15))
    chat.send("こんにちは")
    chat.page.get_by_text(re.compile(r"考え中… \d+ 秒")).wait_for(timeout=20_000)
    chat.page.get_by_text(re.compile(r"\d+ 秒考えました")).wait_for(timeout=60_000)
    chat.wait_for_answer("`a < b`.".replace("`", ""), count=2, timeout=60)
    chat.page.get_by_text(re.compile(r"\d+ 秒考えました")).click()  # unfold the thoughts
    chat.page.get_by_text("The user greets me in Japanese").first.wait_for(timeout=10_000)
    chat.page.screenshot(path=artifacts / "thinking-japanese.png", full_page=True)


def _thinking_stream(shape: str, thoughts: list[str], answer: str) -> list[bytes]:
    """An SSE body that thinks in ``thoughts`` (one event each), then answers."""

    def event(delta: dict) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": None}
        return b"data: " + json.dumps({"choices": [choice]}).encode() + b"\n\n"

    if shape == "think-tag":
        pieces = ["<think>", *thoughts, "</think>", answer]
        return [event({"content": piece}) for piece in pieces]
    return [event({shape: piece}) for piece in thoughts] + [event({"content": answer})]


@pytest.mark.parametrize("shape", ["reasoning_content", "reasoning", "think-tag"])
def test_thoughts_stay_readable_and_grow_until_the_answer_starts(
    shape, open_chat, model_server, artifacts
):
    """Seconds after the first thought, the block is still open and its text still grows."""
    chat = open_chat()
    thoughts = [f"Thought number {n} is here. " for n in range(1, 31)]  # 6 s of thinking
    body = _thinking_stream(shape, thoughts, "The answer.")
    model_server.queue(Reply(raw_chunks=body, raw_interval=0.2))
    chat.send(f"Think aloud ({shape})")
    chat.page.get_by_text("Thought number 2 is").first.wait_for(timeout=20_000)
    readable = []
    for _ in range(6):  # three seconds, every half second
        time.sleep(0.5)
        readable.append(_visible_thoughts(chat.page))
    chat.page.screenshot(path=artifacts / f"thinking-open-{shape}.png", full_page=True)
    assert all(readable), f"the thoughts closed while thinking: {readable}"
    counts = [text.count("Thought number") for text in readable]
    assert counts == sorted(counts) and counts[-1] > counts[0], counts
    chat.wait_for_answer("The answer.", count=2, timeout=60)
    chat.page.get_by_text(re.compile(r"Thought for \d+ s")).wait_for(timeout=10_000)
    assert not _visible_thoughts(chat.page)  # folded once the answer has started


def _visible_thoughts(page) -> str:
    """The thoughts a person can read now (the open thinking block's text)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid="stExpander"] details'))
          .filter((d) => d.open)
          .map((d) => d.querySelector('[data-testid="stExpanderDetails"]'))
          .filter((body) => body && body.offsetHeight > 0)
          .map((body) => body.innerText).join('\\n')"""
    )
