"""The window of past exchanges the model sees, rebuilt from the history each turn."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from chat_core.conversation.messages import ChatMessage, Status

__all__ = ["Exchange", "exchanges", "window", "window_start"]

Exchange = tuple[ChatMessage, ChatMessage]

# A stopped answer is what the visitor chose to keep reading, so the model sees it
# (as ChatGPT does); a failed one is not fed back as if it were an answer, unless
# the visitor kept it.
_ANSWERS_THE_MODEL_SEES = frozenset({Status.COMPLETE, Status.STOPPED, Status.KEPT})


def _usable(question: ChatMessage, answer: ChatMessage) -> bool:
    return (
        question.is_user
        and not answer.is_user
        and answer.status in _ANSWERS_THE_MODEL_SEES
        and bool(answer.content.strip())
    )


def exchanges(history: Sequence[ChatMessage]) -> list[Exchange]:
    """Pair each user message with the answer that directly follows it.

    A user message without a usable answer (failed, empty, or not yet answered)
    is left out, together with whatever partial answer it had.
    """
    return [(q, a) for q, a in pairwise(history) if _usable(q, a)]


def window(history: Sequence[ChatMessage], k: int) -> list[ChatMessage]:
    """The last ``k`` usable exchanges of ``history``, flattened, oldest first."""
    if k <= 0:
        return []
    return [message for pair in exchanges(history)[-k:] for message in pair]


def window_start(history: Sequence[ChatMessage], k: int) -> int:
    """Where the messages the model is sent with the next question begin in ``history``:
    nothing before this index is sent (0: every usable exchange is)."""
    if k <= 0:
        return len(history)
    starts = [i for i, (q, a) in enumerate(pairwise(history)) if _usable(q, a)]
    return 0 if len(starts) <= k else starts[-k]
