"""A thinking model's thinking, kept apart from its answer, whichever way the server sends it.

Servers stream thinking in one of three ways: a ``reasoning_content`` delta field (vLLM,
DeepSeek, LM Studio), a ``reasoning`` delta field (Ollama, OpenRouter, gpt-oss, newer
vLLM), or inline in the content between ``<think>`` and ``</think>`` (llama.cpp without a
reasoning parser, ``transformers serve``, older setups). The fields are read by
:func:`reasoning_delta`; the inline tags are taken apart by :class:`ThinkSplitter`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

__all__ = [
    "CLOSE_TAG",
    "OPEN_TAG",
    "REASONING_FIELDS",
    "Split",
    "ThinkSplitter",
    "reasoning_delta",
    "reasoning_field",
]

OPEN_TAG = "<think>"
CLOSE_TAG = "</think>"

# The delta fields servers put thinking in, in the order they are read. A server in
# transition may send both with the same text, so only the first non-empty one counts.
REASONING_FIELDS = ("reasoning_content", "reasoning")


def reasoning_delta(chunk: Mapping[str, Any]) -> str:
    """The thinking text in one raw chat-completion chunk (``chunk.model_dump()``).

    Reads the first choice's delta; ``""`` when the chunk has no choices (Azure's
    prompt-filter chunk, usage chunks), no delta, or no thinking.
    """
    choices = chunk.get("choices") or []
    if not choices or not isinstance(choices[0], Mapping):
        return ""
    return reasoning_field(choices[0].get("delta"))


def reasoning_field(fields: object) -> str:
    """The thinking text of one delta or message dict, from whichever field holds it."""
    if not isinstance(fields, Mapping):
        return ""
    for field in REASONING_FIELDS:
        value = fields.get(field)
        if isinstance(value, str) and value:
            return value
    return ""


@dataclass(frozen=True)
class Split:
    """What one piece of content turned out to be: thinking, answer, or some of each."""

    thinking: str = ""
    answer: str = ""

    def __add__(self, other: Split) -> Split:
        return Split(self.thinking + other.thinking, self.answer + other.answer)


class _State(Enum):
    START = "start"  # nothing visible yet: a <think> may still open the answer
    THINKING = "thinking"  # inside <think>, waiting for </think>
    ANSWER = "answer"  # everything from here on is the answer


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest end of ``text`` that is a proper beginning of ``tag``."""
    for size in range(min(len(text), len(tag) - 1), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


class ThinkSplitter:
    """Separates ``<think>…</think>`` from the answer in content streamed piece by piece.

    A ``<think>`` counts only where it opens the answer (after leading whitespace
    only); anywhere later it is answer text, e.g. inside code about the tags.
    Whitespace touching a tag is layout, not text, and is dropped. A tag may arrive
    cut anywhere (``"<thi"``, ``"nk>"``): the splitter holds back at most a partial
    tag's length of text, plus whitespace nothing visible follows yet (it shows
    nothing, so holding it delays nothing). Each piece costs time linear in its
    length. Call :meth:`finish` at the end of the stream for what was held back.
    """

    def __init__(self) -> None:
        self._state = _State.START
        self._held = ""  # a possible partial tag
        self._space: list[str] = []  # whitespace that nothing visible follows yet
        self._skip_space = False  # just after a tag: drop whitespace

    def feed(self, piece: str) -> Split:
        """The thinking and answer text that ``piece`` settles."""
        if self._state is _State.START:
            return self._start(piece)
        if self._state is _State.THINKING:
            return self._think(piece)
        return self._answer(piece)

    def finish(self) -> Split:
        """What was held back, once the stream has ended (cut, stopped or complete)."""
        held, self._held = self._held, ""
        if self._state is _State.START:
            space, self._space = "".join(self._space), []
            return Split(answer=space + held) if held else Split()
        if self._state is _State.THINKING:
            return Split(thinking=self._settle(held, final=True))
        return Split()

    def _start(self, piece: str) -> Split:
        if not self._held:
            visible = piece.lstrip()
            self._space.append(piece[: len(piece) - len(visible)])
            piece = visible
            if not piece:
                return Split()
        candidate = self._held + piece
        if candidate.startswith(OPEN_TAG):
            self._held, self._space = "", []
            self._state, self._skip_space = _State.THINKING, True
            return self._think(candidate[len(OPEN_TAG) :])
        if OPEN_TAG.startswith(candidate):
            self._held = candidate
            return Split()
        self._state = _State.ANSWER
        space, self._space, self._held = "".join(self._space), [], ""
        return Split(answer=space + candidate)

    def _think(self, piece: str) -> Split:
        if self._skip_space:
            piece = piece.lstrip()
            if not piece:
                return Split()
            self._skip_space = False
        text = self._held + piece
        end = text.find(CLOSE_TAG)
        if end < 0:
            keep = _partial_suffix(text, CLOSE_TAG)
            self._held = text[len(text) - keep :]
            return Split(thinking=self._settle(text[: len(text) - keep]))
        self._held = ""
        self._state, self._skip_space = _State.ANSWER, True
        thinking = self._settle(text[:end], final=True)
        return Split(thinking=thinking) + self._answer(text[end + len(CLOSE_TAG) :])

    def _settle(self, text: str, *, final: bool = False) -> str:
        """The thinking ``text`` settles: held whitespace goes out before visible text;
        its own trailing whitespace is held (dropped when ``final``: a tag follows)."""
        visible = text.rstrip()
        if not visible:
            if final:
                self._space.clear()
            else:
                self._space.append(text)
            return ""
        settled = "".join(self._space) + visible
        self._space = [] if final else [text[len(visible) :]]
        return settled

    def _answer(self, piece: str) -> Split:
        if self._skip_space:
            piece = piece.lstrip()
            if not piece:
                return Split()
            self._skip_space = False
        return Split(answer=piece)
