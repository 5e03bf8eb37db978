"""One turn's plan, made once before anything is sent: the system prompt, the window of
earlier exchanges, exactly the messages the model is sent and their tokens, and whether
the question may be sent at all. The limits reserve its tokens, the job sends its
messages, and the page draws the window's divider where it says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from langchain_core.messages import BaseMessage

from chat_core.conversation.messages import ChatMessage, langchain_messages
from chat_core.errors import UserFacingError
from chat_core.prompt.fit import context_refusal, fit_start, fit_window, room
from chat_core.prompt.system_prompts import build_prompt, default_system_prompt, with_project
from chat_core.prompt.window import window, window_start
from chat_core.settings.settings import Settings
from chat_core.usage.estimate import message_tokens, prompt_tokens

__all__ = ["TurnPlan", "next_window_start", "plan_turn"]


@dataclass(frozen=True)
class TurnPlan:
    """What one question is sent with, worked out once."""

    system_prompt: str
    window: tuple[ChatMessage, ...]  # the earlier messages sent, oldest first
    sent_from: int  # where they begin in the history (the page's divider)
    messages: tuple[BaseMessage, ...]  # exactly what the model is sent
    input_tokens: int  # the estimate of ``messages`` (what the limits reserve)
    refusal: UserFacingError | None  # why the question cannot be sent, if it cannot


class _Built:
    """Each message converted for the model once per plan (an image is base64-encoded
    once, though the window's fitting and the prompt both need it)."""

    def __init__(self) -> None:
        self._converted: dict[int, list[BaseMessage]] = {}

    def __call__(self, message: ChatMessage) -> list[BaseMessage]:
        key = id(message)
        if key not in self._converted:
            self._converted[key] = langchain_messages(message)
        return self._converted[key]

    def tokens(self, message: ChatMessage) -> int:
        return sum(message_tokens(part) for part in self(message))


def plan_turn(
    history: Sequence[ChatMessage],
    question: ChatMessage,
    settings: Settings,
    *,
    language: str,
    project_instructions: str = "",
) -> TurnPlan:
    """The plan for sending ``question`` after ``history`` (everything before it);
    ``project_instructions``: those of the project the conversation is in."""
    system_prompt = with_project(_system_prompt(settings, language), project_instructions,
                                 language)  # fmt: skip
    built = _Built()
    question_tokens = built.tokens(question)
    sent, sent_from = _window(history, settings, system_prompt, question_tokens, built.tokens)
    inputs = {
        "system_prompt": system_prompt,
        "history": [part for message in sent for part in built(message)],
        "input": built(question),
    }
    messages = tuple(build_prompt().invoke(inputs).to_messages())
    refusal = None
    if settings.history_fit:
        refusal = context_refusal(
            question_tokens,
            context_tokens=settings.context_tokens,
            max_tokens=settings.max_tokens,
            system_prompt=system_prompt,
        )
    return TurnPlan(
        system_prompt, tuple(sent), sent_from, messages, prompt_tokens(messages), refusal
    )


def next_window_start(
    history: Sequence[ChatMessage],
    settings: Settings,
    *,
    language: str,
    project_instructions: str = "",
) -> int:
    """Where the messages sent with the next question would begin in ``history`` (the
    page draws the divider there before that question is typed: its size counts 0)."""
    prompt = with_project(_system_prompt(settings, language), project_instructions, language)
    return _window(history, settings, prompt, 0, _Built().tokens)[1]


def _system_prompt(settings: Settings, language: str) -> str:
    """The configured system prompt, or the shipped one in the page's language."""
    return settings.system_prompt or default_system_prompt(language)


def _window(
    history: Sequence[ChatMessage],
    settings: Settings,
    system_prompt: str,
    question_tokens: int,
    tokens: Callable[[ChatMessage], int],
) -> tuple[list[ChatMessage], int]:
    """The earlier messages sent, and where they begin: the last k exchanges, or as many
    recent ones as fit the model's context (settings.history_fit)."""
    if not settings.history_fit:
        k = settings.history_window
        return window(history, k), window_start(history, k)
    budget = room(
        settings.context_tokens,
        max_tokens=settings.max_tokens,
        system_prompt=system_prompt,
        question=question_tokens,
    )
    sent = fit_window(history, budget, tokens=tokens)
    return sent, fit_start(history, sent)
