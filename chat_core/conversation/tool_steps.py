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

__all__ = [
    "RESULT_SHOWN_CHARS",
    "StepStatus",
    "ToolStep",
    "arguments_line",
    "step_dict",
    "step_from",
]

RESULT_SHOWN_CHARS = 4_000  # of a result kept for the page (the model's bound is its own)
_ARGUMENTS_CHARS = 8_000
_NAME_CHARS = 128
_LINE_VALUE_CHARS = 60


class StepStatus(Enum):
    WAITING = "waiting"  # for the visitor's Run or Skip
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # handed back to the model as an error
    SKIPPED = "skipped"  # the visitor said Skip, or the answer stopped first


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


def arguments_line(step: ToolStep) -> str:
    """The arguments in one short line, ``timezone: Asia/Tokyo, ...``, for the step's label."""
    if step.arguments is None:
        return _shorten(step.raw_arguments)
    parts = [f"{key}: {_shorten(_as_text(value))}" for key, value in step.arguments.items()]
    return ", ".join(parts)


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
    )


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LINE_VALUE_CHARS else text[: _LINE_VALUE_CHARS - 1] + "…"
