"""The window of past exchanges the model sees, rebuilt from the history each turn."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from .messages import ChatMessage, Status

__all__ = ["Exchange", "exchanges", "window"]

Exchange = tuple[ChatMessage, ChatMessage]

# A stopped answer is what the visitor chose to keep reading, so the model sees it
# (as ChatGPT does); a failed one is not fed back as if it were an answer, unless
# the visitor kept it.
_ANSWERS_THE_MODEL_SEES = frozenset({Status.COMPLETE, Status.STOPPED, Status.KEPT})


def exchanges(history: Sequence[ChatMessage]) -> list[Exchange]:
    """Pair each user message with the answer that directly follows it.

    A user message without a usable answer (failed, empty, or not yet answered)
    is left out, together with whatever partial answer it had.
    """
    pairs: list[Exchange] = []
    for question, answer in pairwise(history):
        if (
            question.is_user
            and not answer.is_user
            and answer.status in _ANSWERS_THE_MODEL_SEES
            and answer.content.strip()
        ):
            pairs.append((question, answer))
    return pairs


def window(history: Sequence[ChatMessage], k: int) -> list[ChatMessage]:
    """The last ``k`` usable exchanges of ``history``, flattened, oldest first."""
    if k <= 0:
        return []
    return [message for pair in exchanges(history)[-k:] for message in pair]
