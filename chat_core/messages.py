"""The app's own message type, and its conversion to LangChain messages."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from .errors import UserFacingError
from .usage import Usage

__all__ = ["ChatMessage", "Role", "Status", "to_langchain"]


class Role(enum.StrEnum):
    USER = "user"
    ASSISTANT = "assistant"


class Status(enum.StrEnum):
    """How an answer ended; a user message is always COMPLETE."""

    COMPLETE = "complete"
    STOPPED = "stopped"  # the visitor stopped it; the partial text is kept
    FAILED = "failed"  # the provider or network failed; partial text kept, marked
    KEPT = "kept"  # a failed answer's partial text that the visitor chose to keep
    STREAMING = "streaming"  # stored while being written; read back as interrupted


@dataclass(frozen=True, kw_only=True)
class ChatMessage:
    """One bubble of the conversation as the visitor saw it."""

    role: Role
    content: str
    status: Status = Status.COMPLETE
    # Why a FAILED message failed; on a COMPLETE answer, a notice (e.g. cut at max tokens).
    error: UserFacingError | None = None
    usage: Usage | None = None  # tokens of an answer, when known

    @classmethod
    def user(
        cls, content: str, *, status: Status = Status.COMPLETE, error: UserFacingError | None = None
    ) -> ChatMessage:
        return cls(role=Role.USER, content=content, status=status, error=error)

    @classmethod
    def assistant(
        cls,
        content: str,
        *,
        status: Status = Status.COMPLETE,
        error: UserFacingError | None = None,
        usage: Usage | None = None,
    ) -> ChatMessage:
        return cls(role=Role.ASSISTANT, content=content, status=status, error=error, usage=usage)

    @property
    def is_user(self) -> bool:
        return self.role is Role.USER


def to_langchain(messages: Iterable[ChatMessage]) -> list[BaseMessage]:
    """Convert the app's messages to the LangChain types a prompt template takes."""
    return [
        HumanMessage(content=m.content) if m.is_user else AIMessage(content=m.content)
        for m in messages
    ]
