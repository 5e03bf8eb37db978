"""The app's own message type, and its conversion to LangChain messages.

Values only: message_codec.py turns them into dicts and back."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from chat_core.conversation.tool_steps import ToolStep, answer_messages
from chat_core.errors import UserFacingError
from chat_core.files.attachments import Attachment, AttachmentKind, message_content
from chat_core.usage.tokens import Usage

__all__ = [
    "ChatMessage",
    "Feedback",
    "Rating",
    "Role",
    "Status",
    "Thinking",
    "langchain_messages",
    "to_langchain",
]


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


class Rating(enum.StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class Feedback:
    """A visitor's verdict on an answer; a comment only comes with thumbs down."""

    rating: Rating
    comment: str = ""


@dataclass(frozen=True)
class Thinking:
    """What a thinking model wrote before its answer: shown apart, never sent back to it."""

    text: str
    seconds: float | None = None  # how long it thought; None while it still thinks
    ended: bool = True  # False: the stream stopped (cut, stopped, failed) while it thought


@dataclass(frozen=True, kw_only=True)
class ChatMessage:
    """One bubble of the conversation as the visitor saw it."""

    role: Role
    content: str
    status: Status = Status.COMPLETE
    # Why a FAILED message failed; on a COMPLETE answer, a notice (e.g. cut at max tokens).
    error: UserFacingError | None = None
    usage: Usage | None = None  # tokens of an answer, when known
    attachments: tuple[Attachment, ...] = ()  # files sent with a question
    feedback: Feedback | None = None  # the visitor's thumbs on an answer
    thinking: Thinking | None = None  # a thinking model's thoughts before this answer
    steps: tuple[ToolStep, ...] = ()  # the tools an answer called, where they came in it
    # Names this bubble's widgets for this session; a message read back gets a new one.
    id: str = field(default_factory=lambda: uuid.uuid4().hex, compare=False, repr=False)

    @classmethod
    def user(
        cls,
        content: str,
        *,
        status: Status = Status.COMPLETE,
        error: UserFacingError | None = None,
        attachments: Iterable[Attachment] = (),
    ) -> ChatMessage:
        return cls(
            role=Role.USER,
            content=content,
            status=status,
            error=error,
            attachments=tuple(attachments),
        )

    @classmethod
    def assistant(
        cls,
        content: str,
        *,
        status: Status = Status.COMPLETE,
        error: UserFacingError | None = None,
        usage: Usage | None = None,
        feedback: Feedback | None = None,
        thinking: Thinking | None = None,
        steps: Iterable[ToolStep] = (),
    ) -> ChatMessage:
        return cls(
            role=Role.ASSISTANT,
            content=content,
            status=status,
            error=error,
            usage=usage,
            feedback=feedback,
            thinking=thinking,
            steps=tuple(steps),
        )

    @property
    def is_user(self) -> bool:
        return self.role is Role.USER

    @property
    def has_images(self) -> bool:
        return any(a.sent and a.kind is AttachmentKind.IMAGE for a in self.attachments)


def to_langchain(messages: Iterable[ChatMessage]) -> list[BaseMessage]:
    """Convert the app's messages to LangChain's; a question's files become content parts,
    an answer's tool calls the calls and results the protocol expects."""
    converted: list[BaseMessage] = []
    for m in messages:
        converted.extend(langchain_messages(m))
    return converted


def langchain_messages(message: ChatMessage) -> list[BaseMessage]:
    """One message as the model is sent it (an answer that used tools is several)."""
    if message.is_user:
        return [HumanMessage(content=message_content(message.content, message.attachments))]
    if message.steps:
        return answer_messages(message.content, message.steps)
    return [AIMessage(content=message.content)]
