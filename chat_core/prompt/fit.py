""" "As much as fits": the most recent exchanges whose tokens fit the model's context,
beside what the turn needs anyway (the system prompt, the question and its files, and
room for the answer). A long attachment then pushes older exchanges out of the window
instead of failing with a context-length error; a question that cannot fit even alone
is refused before it is sent, with the numbers. Whatever context a server claims, the
exchanges sent with one question carry at most MAX_HISTORY_CHARS characters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from langchain_core.messages import SystemMessage

from chat_core.conversation.messages import ChatMessage, langchain_messages
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.files.attachments import AttachmentKind
from chat_core.prompt.window import exchanges
from chat_core.usage.estimate import message_tokens

__all__ = [
    "MAX_HISTORY_CHARS",
    "context_refusal",
    "fit_start",
    "fit_window",
    "message_chars",
    "room",
    "sent_tokens",
]

# Estimates without tiktoken can be a little low: this share of the context stays free.
_MARGIN = 0.05
# The most the earlier exchanges sent with one question may carry (images counted as the
# base64 they are sent as): 8 MB, about what a 2,000,000-token context holds. Tokens
# alone do not bound it: a tokenizer may count a long run of one character as few.
MAX_HISTORY_CHARS = 8_000_000


def message_chars(message: ChatMessage) -> int:
    """About how many characters ``message`` adds to a request (files and images too)."""
    total = len(message.content)
    total += sum(len(step.result) + len(step.raw_arguments) + 64 for step in message.steps)
    for attachment in message.attachments:
        if attachment.sent and attachment.kind is AttachmentKind.IMAGE:
            total += 4 * -(-len(attachment.data) // 3)  # base64
        elif attachment.sent:
            total += len(attachment.text)
    return total


def sent_tokens(message: ChatMessage) -> int:
    """About how many tokens ``message`` costs when sent (its text, files and images):
    the one estimator, on the message as the model gets it."""
    return sum(message_tokens(part) for part in langchain_messages(message))


def room(context_tokens: int, *, max_tokens: int, system_prompt: str, question: int) -> int:
    """Tokens left for earlier exchanges (negative: the question alone does not fit)."""
    usable = int(context_tokens * (1 - _MARGIN))
    return usable - max_tokens - message_tokens(SystemMessage(system_prompt)) - question


def fit_window(
    history: Sequence[ChatMessage],
    budget: int,
    *,
    chars: int = MAX_HISTORY_CHARS,
    tokens: Callable[[ChatMessage], int] = sent_tokens,
) -> list[ChatMessage]:
    """The most recent usable exchanges of ``history`` within ``budget`` tokens and
    ``chars`` characters, oldest first; one that does not fit ends the window (nothing
    older skips past it). Characters are counted first: they cost nothing to count.
    ``tokens`` prices one message (a turn's plan passes one that converts it once)."""
    kept: list[ChatMessage] = []
    for question, answer in reversed(exchanges(history)):
        size = message_chars(question) + message_chars(answer)
        if size > chars:
            break
        cost = tokens(question) + tokens(answer)
        if cost > budget:
            break
        budget, chars = budget - cost, chars - size
        kept[:0] = [question, answer]
    return kept


def fit_start(history: Sequence[ChatMessage], sent: Sequence[ChatMessage]) -> int:
    """Where the messages ``sent`` (a :func:`fit_window`) begin in ``history`` (as
    memory.window_start does for a window of k exchanges)."""
    if not sent:
        return len(history)
    first = sent[0]
    return next(i for i, message in enumerate(history) if message is first)


def context_refusal(
    needed: int, *, context_tokens: int, max_tokens: int, system_prompt: str
) -> UserFacingError | None:
    """Why a question of ``needed`` tokens cannot be sent at all: with the system prompt
    and room for the answer, it is over the model's context."""
    left = room(context_tokens, max_tokens=max_tokens, system_prompt=system_prompt, question=0)
    if needed <= left:
        return None
    details = {
        "tokens": f"{needed:,}",
        "room": f"{max(left, 0):,}",
        "context": f"{context_tokens:,}",
    }
    return UserFacingError(ErrorKind.DOES_NOT_FIT, details)
