"""One tool call of an answer as the visitor sees it and the conversation keeps it.

A step is shown live while it runs ("Running get_current_time (timezone: Asia/Tokyo)…"),
then folded to its name, duration and result; stored with the answer, it is read back
from a database or an import, so reading it bounds every field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

__all__ = [
    "MAX_STEPS",
    "RESULT_SHOWN_CHARS",
    "SOURCES_PER_STEP",
    "Source",
    "StepStatus",
    "ToolStep",
    "answer_messages",
    "answer_sources",
    "arguments_line",
    "checked_source",
    "step_dict",
    "step_from",
    "text_around_steps",
]

MAX_STEPS = 64  # of one answer read back (CHAT_TOOL_STEPS rounds of parallel calls, bounded)
RESULT_SHOWN_CHARS = 4_000  # of a result kept for the page (the model's bound is its own)
_ARGUMENTS_CHARS = 8_000
_NAME_CHARS = 128
_LINE_VALUE_CHARS = 60
SOURCES_PER_STEP = 20
_URL_CHARS = 2_000
_TITLE_CHARS = 300


class StepStatus(Enum):
    WAITING = "waiting"  # for the visitor's Run or Skip
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # handed back to the model as an error
    SKIPPED = "skipped"  # the visitor said Skip, or the answer stopped first


@dataclass(frozen=True)
class Source:
    """A page a web tool found or read, numbered as the answer may cite it: [1], [2]."""

    number: int
    title: str
    url: str  # http or https, checked: a link the visitor may click, never fetched by the page

    @property
    def site(self) -> str:
        host = urlsplit(self.url).hostname or ""
        return host.removeprefix("www.")


@dataclass(frozen=True)
class ToolStep:
    call_id: str
    name: str
    server: str | None = None  # None: built in (web search, page reading)
    arguments: Mapping[str, Any] | None = None  # None: the model's arguments were not JSON
    raw_arguments: str = ""  # what the model sent, when it was not a JSON object
    status: StepStatus = StepStatus.RUNNING
    result: str = ""  # as text, cut to RESULT_SHOWN_CHARS
    error: str | None = None  # why it failed or was skipped
    seconds: float | None = None
    cut: bool = False  # the result was longer than the model was given
    # Where it stands in the answer: after so many characters of its text, in the n-th
    # model call of the answer (the calls of one round were asked for together).
    text_at: int = 0
    round: int = 1
    sources: tuple[Source, ...] = ()  # what a web tool found or read

    def ended(
        self,
        status: StepStatus,
        *,
        result: str = "",
        error: str | None = None,
        seconds: float | None = None,
        cut: bool = False,
    ) -> ToolStep:
        """This step as it ended (the result kept for the page is cut here)."""
        shown = result[:RESULT_SHOWN_CHARS]
        return replace(self, status=status, result=shown, error=error, seconds=seconds, cut=cut)

    @property
    def is_open(self) -> bool:
        return self.status in (StepStatus.WAITING, StepStatus.RUNNING)

    def interrupted(self, why: str = "the answer ended first") -> ToolStep:
        """This step as an answer that ended while it ran leaves it (an ended one as is)."""
        return replace(self, status=StepStatus.SKIPPED, error=why) if self.is_open else self


def arguments_line(step: ToolStep) -> str:
    """The arguments in one short line, ``timezone: Asia/Tokyo, ...``, for the step's label."""
    if step.arguments is None:
        return _shorten(step.raw_arguments)
    parts = [f"{key}: {_shorten(_as_text(value))}" for key, value in step.arguments.items()]
    return ", ".join(parts)


def answer_sources(steps: tuple[ToolStep, ...]) -> list[Source]:
    """The sources of an answer's steps, each number once, in the order of their numbers."""
    by_number: dict[int, Source] = {}
    for step in steps:
        for source in step.sources:
            by_number.setdefault(source.number, source)
    return [by_number[number] for number in sorted(by_number)]


def text_around_steps(
    text: str, steps: tuple[ToolStep, ...]
) -> tuple[list[tuple[str, ToolStep]], str]:
    """The answer's text cut where its steps came: each step with the text before it
    (since the step before), and the text after the last."""
    pieces: list[tuple[str, ToolStep]] = []
    said = 0
    for step in steps:
        upto = min(max(said, step.text_at), len(text))
        pieces.append((text[said:upto], step))
        said = upto
    return pieces, text[said:]


def answer_messages(text: str, steps: tuple[ToolStep, ...]) -> list[BaseMessage]:
    """An answer that used tools as the protocol sends it again in a later turn: for each
    round, the text before it and its calls, then each call's result (as the page kept
    it, bounded), then the rest of the text."""
    pieces, rest = text_around_steps(text, steps)
    messages: list[BaseMessage] = []
    said: list[str] = []
    called: list[ToolStep] = []
    for before, step in pieces:
        if called and step.round != called[0].round:
            messages.extend(_round_messages("".join(said), called))
            said, called = [], []
        said.append(before)
        called.append(step)
    if called:
        messages.extend(_round_messages("".join(said), called))
    messages.append(AIMessage(content=rest.strip("\n")))  # less the break before it
    return messages


def _round_messages(before: str, called: list[ToolStep]) -> list[BaseMessage]:
    """One model call that asked for tools, then what each of them gave back."""
    number = called[0].round
    ids = [step.call_id or f"call_{number}_{index}" for index, step in enumerate(called)]
    calls = [
        {"name": step.name, "args": dict(step.arguments or {}), "id": call_id}
        for step, call_id in zip(called, ids, strict=True)
    ]
    results = [
        ToolMessage(content=_result_for_model(step), tool_call_id=call_id)
        for step, call_id in zip(called, ids, strict=True)
    ]
    return [AIMessage(content=before.strip("\n"), tool_calls=calls), *results]


def _result_for_model(step: ToolStep) -> str:
    if step.status is StepStatus.DONE:
        return step.result or "(no output)"
    return f"Error: {step.error or step.status.value}."


def step_dict(step: ToolStep) -> dict[str, Any]:
    return {
        "call_id": step.call_id,
        "name": step.name,
        "server": step.server,
        "arguments": None if step.arguments is None else dict(step.arguments),
        "raw_arguments": step.raw_arguments,
        "status": step.status.value,
        "result": step.result,
        "error": step.error,
        "seconds": step.seconds,
        "cut": step.cut,
        "text_at": step.text_at,
        "round": step.round,
        "sources": [{"number": s.number, "title": s.title, "url": s.url} for s in step.sources],
    }


def step_from(data: Any) -> ToolStep | None:
    """A stored step, bounded; None for what is not one."""
    if not isinstance(data, Mapping) or not isinstance(data.get("name"), str):
        return None
    arguments = data.get("arguments")
    if not isinstance(arguments, Mapping) or len(_as_text(arguments)) > _ARGUMENTS_CHARS:
        arguments = None
    try:
        status = StepStatus(data.get("status"))
    except ValueError:
        status = StepStatus.FAILED
    seconds = data.get("seconds")
    return ToolStep(
        call_id=_text(data.get("call_id"), _NAME_CHARS),
        name=_text(data.get("name"), _NAME_CHARS),
        server=_text(data.get("server"), _NAME_CHARS) or None,
        arguments=arguments,
        raw_arguments=_text(data.get("raw_arguments"), _ARGUMENTS_CHARS),
        status=status,
        result=_text(data.get("result"), RESULT_SHOWN_CHARS),
        error=_text(data.get("error"), 500) or None,
        seconds=float(seconds) if isinstance(seconds, int | float) and seconds >= 0 else None,
        cut=data.get("cut") is True,
        text_at=_count(data.get("text_at")),
        round=max(1, _count(data.get("round"))),
        sources=_sources_from(data.get("sources")),
    )


def _sources_from(data: Any) -> tuple[Source, ...]:
    if not isinstance(data, list):
        return ()
    sources = (_source_from(item) for item in data[:SOURCES_PER_STEP])
    return tuple(source for source in sources if source is not None)


def _source_from(data: Any) -> Source | None:
    if not isinstance(data, Mapping):
        return None
    return checked_source(data.get("number"), data.get("title"), data.get("url"))


def checked_source(number: Any, title: Any, url: Any) -> Source | None:
    """A source read from somewhere else (a database, an import), if it is one: numbered,
    its link an http(s) URL, its title bounded (the site's name when it has none)."""
    number, url = _count(number), _text(url, _URL_CHARS + 1)
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed [ in the host
        return None
    if not number or len(url) > _URL_CHARS or parts.scheme not in ("http", "https"):
        return None
    return Source(number, _text(title, _TITLE_CHARS) or (parts.hostname or url), url)


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LINE_VALUE_CHARS else text[: _LINE_VALUE_CHARS - 1] + "…"
