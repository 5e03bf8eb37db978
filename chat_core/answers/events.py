"""What an answer run tells the pages that follow it, in the order it happened.

A run emits these to its job's log (chat_core/answers/event_log.py); each page that follows the
job reads them from where it stopped reading. Text comes in pieces: a follower gets the
pieces it has not seen joined into one event per stretch of thinking or answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from chat_core.conversation.messages import ChatMessage, Status
from chat_core.conversation.tool_steps import ToolStep

__all__ = [
    "AnswerEvent",
    "AnswerText",
    "Ended",
    "Retrying",
    "StepChanged",
    "ThinkingText",
    "ToolsNotice",
]


@dataclass(frozen=True)
class ThinkingText:
    """Some of a thinking model's thoughts (shown apart, before the answer)."""

    text: str


@dataclass(frozen=True)
class AnswerText:
    """Some of the answer's text."""

    text: str


@dataclass(frozen=True)
class Retrying:
    """The server refused or failed before the answer began; the client tries again."""

    status: int  # the HTTP status it answered
    attempt: int
    attempts: int  # how many tries are allowed in all


@dataclass(frozen=True)
class StepChanged:
    """A tool call began (or waits for the visitor's Run or Skip), or ended: the step as
    it is now, in place of what was shown of it."""

    step: ToolStep


@dataclass(frozen=True)
class ToolsNotice:
    """Something the visitor should know about the tools of this answer: a server that is
    down (``text``, fit to show), or a model that cannot use tools; the answer goes on
    without them."""

    text: str = ""
    unsupported: bool = False


@dataclass(frozen=True)
class Ended:
    """The run is over: its answer, under the number it was stored as."""

    answer: ChatMessage
    number: int
    unsaved: bool | None = None  # True: never stored; False: an earlier save holds

    @property
    def status(self) -> Status:
        return self.answer.status


AnswerEvent = ThinkingText | AnswerText | Retrying | StepChanged | ToolsNotice | Ended
