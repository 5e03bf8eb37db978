"""One turn of the conversation: the only call the chat page makes to the model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from .context_budget import (
    IMAGE_TOKENS,
    context_refusal,
    fit_start,
    fit_window,
    message_tokens,
    room,
)
from .errors import UserFacingError
from .llm import make_chat_model
from .memory import window, window_start
from .messages import ChatMessage, to_langchain
from .prompts import build_prompt, default_system_prompt
from .settings import Settings
from .tokens import Usage, estimate_tokens, usage_from

__all__ = [
    "ModelReply",
    "build_messages",
    "estimate_prompt_tokens",
    "prompt_inputs",
    "respond",
    "sent_start",
    "too_long_to_send",
]


@dataclass(frozen=True)
class ModelReply:
    text: str
    finish_reason: str | None  # "stop", "length", ...; None if the stream had no end
    usage: Usage


Question = ChatMessage | str  # a bare string is a question without files


def prompt_inputs(
    history: Sequence[ChatMessage], question: Question, settings: Settings, *, language: str
) -> dict[str, Any]:
    """The template variables for this turn: system prompt, window, new question."""
    if isinstance(question, str):
        question = ChatMessage.user(question)
    system_prompt = _system_prompt(settings, language)
    return {
        "system_prompt": system_prompt,
        "history": to_langchain(sent_history(history, question, settings, system_prompt)),
        "input": to_langchain([question]),
    }


def sent_history(
    history: Sequence[ChatMessage], question: ChatMessage, settings: Settings, system_prompt: str
) -> list[ChatMessage]:
    """The earlier messages sent with ``question``: the last k exchanges, or as many
    recent ones as fit the model's context (settings.history_fit)."""
    if not settings.history_fit:
        return window(history, settings.history_window)
    return fit_window(history, _room(settings, system_prompt, message_tokens(question)))


def sent_start(history: Sequence[ChatMessage], settings: Settings, *, language: str) -> int:
    """Where the messages sent with the next question begin in ``history`` (the page
    draws a divider there); the next question's own size is not known yet."""
    if not settings.history_fit:
        return window_start(history, settings.history_window)
    return fit_start(history, _room(settings, _system_prompt(settings, language), 0))


def too_long_to_send(
    question: ChatMessage, settings: Settings, *, language: str
) -> UserFacingError | None:
    """Sending "as much as fits", why ``question`` cannot be sent even alone (over the
    model's context with the system prompt and room for the answer); else None."""
    if not settings.history_fit:
        return None
    return context_refusal(
        question,
        context_tokens=settings.context_tokens,
        max_tokens=settings.max_tokens,
        system_prompt=_system_prompt(settings, language),
    )


def _system_prompt(settings: Settings, language: str) -> str:
    return settings.system_prompt or default_system_prompt(language)


def _room(settings: Settings, system_prompt: str, question: int) -> int:
    """Tokens of the context left for earlier exchanges (see context_budget.room)."""
    return room(
        settings.context_tokens,
        max_tokens=settings.max_tokens,
        system_prompt=system_prompt,
        question=question,
    )


def build_messages(
    history: Sequence[ChatMessage], question: Question, settings: Settings, *, language: str
) -> list[BaseMessage]:
    """Exactly the messages the model is sent for this turn."""
    inputs = prompt_inputs(history, question, settings, language=language)
    return build_prompt().invoke(inputs).to_messages()


def estimate_prompt_tokens(
    history: Sequence[ChatMessage], question: Question, settings: Settings, *, language: str
) -> int:
    """About how many tokens this turn's prompt is, before it is sent (for the limits)."""
    total = 0
    for message in build_messages(history, question, settings, language=language):
        total += 4  # each chat message's framing
        parts = message.content if isinstance(message.content, list) else [message.content]
        for part in parts:
            if isinstance(part, str):
                total += estimate_tokens(part)
            elif part.get("type") == "text":
                total += estimate_tokens(part.get("text", ""))
            else:
                total += IMAGE_TOKENS
    return total


def respond(
    history: Sequence[ChatMessage],
    question: Question,
    settings: Settings,
    *,
    language: str,
    handler: BaseCallbackHandler,
    model: BaseChatModel | None = None,
) -> ModelReply:
    """Ask the model for the answer to ``question``; tokens stream to ``handler``.

    ``history`` is everything before ``question``. Exceptions from the provider,
    or raised by the handler's sink, propagate.
    """
    messages = build_messages(history, question, settings, language=language)
    reply = (model or make_chat_model(settings)).invoke(messages, config={"callbacks": [handler]})
    usage = usage_from(
        reply.usage_metadata,
        prompt=[message.text for message in messages],
        answer=reply.text,
        model=settings.model,
    )
    return ModelReply(reply.text, reply.response_metadata.get("finish_reason"), usage)
