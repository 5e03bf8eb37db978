"""A turn's messages from plain strings, for tests that look at what the model is sent."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import BaseMessage

from chat_core.conversation.messages import ChatMessage
from chat_core.prompt.turn_plan import TurnPlan, plan_turn
from chat_core.settings.settings import Settings


def plan(
    history: Sequence[ChatMessage], question: ChatMessage | str, settings: Settings, language: str
) -> TurnPlan:
    if isinstance(question, str):
        question = ChatMessage.user(question)
    return plan_turn(history, question, settings, language=language)


def build_messages(
    history: Sequence[ChatMessage],
    question: ChatMessage | str,
    settings: Settings,
    *,
    language: str,
) -> list[BaseMessage]:
    """Exactly the messages the model is sent for this turn (the plan's)."""
    return list(plan(history, question, settings, language).messages)
