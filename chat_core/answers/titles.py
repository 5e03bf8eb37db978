"""A conversation's title, written by the model after its first answer that completes.

It runs in the background once the answer is saved, so it never delays an answer; until
it arrives (or if it fails) the title is the first words of the first question. A first
answer that was stopped or failed does not name it: the one that completes after Retry
or Edit does, once. A title the visitor already changed is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate

from chat_core.conversation.conversation import opening_title
from chat_core.conversation.messages import ChatMessage, Status
from chat_core.conversation.versions import MessageTree
from chat_core.limits import LimitReached, Limits, Request, UsageLedger, reserve
from chat_core.markdown.visitor_text import one_line, shorten
from chat_core.provider.chat_model import is_reasoning_model, make_chat_model
from chat_core.settings.settings import Settings
from chat_core.usage.estimate import prompt_tokens
from chat_core.usage.tokens import Usage, usage_from

__all__ = [
    "TITLE_LENGTH",
    "Titled",
    "clean_title",
    "first_words",
    "name_conversation",
    "title_due",
    "title_max_tokens",
    "title_messages",
    "titles_written",
    "write_title",
]

log = logging.getLogger(__name__)

TITLE_LENGTH = 60
# What the model may spend: a few words, or a little thinking first for a reasoning model.
_TITLE_TOKENS = 32
_TITLE_TOKENS_THINKING = 512
# Only the start of each message is needed to name the conversation.
_EXCERPT = 1500

_INSTRUCTIONS = {
    "en": (
        "Write a short title, at most six words, for the conversation below. Use the "
        "language the user wrote in. Reply with the title only: no quotes, no full stop."
    ),
    "ja": (
        "次の会話に短いタイトル（20文字程度まで）を付けてください。ユーザーが書いた言語を"
        "使ってください。タイトルだけを返し、かぎかっこや句点は付けないでください。"
    ),
}
_QUOTES = "\"'“”‘’「」『』《》`*#_"


@dataclass(frozen=True)
class Titled:
    title: str | None
    usage: Usage


def first_words(tree: MessageTree) -> str | None:
    """The title a conversation was given when it started: its first question's words
    (the first version of it, should it have been edited). None while it is empty."""
    first_questions = tree.children(None)
    return opening_title(tree.message(first_questions[0])) if first_questions else None


def title_due(tree: MessageTree) -> str | None:
    """:func:`first_words` while the conversation still waits for the model's title: no
    answer in it has completed yet. None once one has: a title is written once."""
    for number in tree:
        message = tree.message(number)
        if not message.is_user and message.status is Status.COMPLETE:
            return None
    return first_words(tree)


def titles_written(settings: Settings) -> bool:
    """Whether the model names conversations: not when the deployer limits messages per
    minute, since a title must never use up a visitor's message."""
    return settings.auto_titles and not settings.messages_per_minute


def title_max_tokens(settings: Settings) -> int:
    return _TITLE_TOKENS_THINKING if is_reasoning_model(settings.model) else _TITLE_TOKENS


def _prompt() -> ChatPromptTemplate:
    # The conversation goes in as variables: braces in it stay text.
    return ChatPromptTemplate(
        [("system", "{instructions}"), ("human", "{question}\n\n---\n\n{answer}")]
    )


def clean_title(text: str) -> str | None:
    """The model's reply as a title: one line, no quotes or Markdown marks, not too long."""
    line = one_line(text).strip(_QUOTES + " 。.").strip()
    line = line.removeprefix("Title:").removeprefix("タイトル：").strip(_QUOTES + " ")
    if not line:
        return None
    return shorten(line, TITLE_LENGTH)


def title_messages(question: str, answer: str, *, language: str) -> list[BaseMessage]:
    """The request for a title: instructions, and the start of the first exchange."""
    inputs = {
        "instructions": _INSTRUCTIONS.get(language, _INSTRUCTIONS["en"]),
        "question": question[:_EXCERPT],
        "answer": answer[:_EXCERPT],
    }
    return _prompt().invoke(inputs).to_messages()


def write_title(settings: Settings, messages: list[BaseMessage]) -> Titled:
    """Ask the model for a title with ``messages`` (no streaming to any page, few tokens)."""
    model = make_chat_model(replace(settings, max_tokens=title_max_tokens(settings)))
    reply = model.invoke(messages)
    usage = usage_from(
        reply.usage_metadata,
        prompt_tokens=prompt_tokens(messages),
        answer=reply.text,
        model=settings.model,
    )
    return Titled(clean_title(reply.text), usage)


def name_conversation(
    settings: Settings,
    question: ChatMessage,
    answer: ChatMessage,
    *,
    language: str,
    identity: str,
    ledger: UsageLedger,
    rename: Callable[[str, str], bool],
    opening: str | None = None,
) -> str | None:
    """Write a title for a conversation after its first answer and give it to the
    conversation, unless the visitor renamed it meanwhile (``rename(title, only_if)``):
    its title must still be ``opening`` (by default the words of ``question``).

    Its tokens count against the limits like any request (see :func:`titles_written`).
    """
    if not titles_written(settings):
        return None
    messages = title_messages(question.content, answer.content, language=language)
    request = Request(
        identity=identity,
        model=settings.model,
        input_tokens=prompt_tokens(messages),
        max_tokens=title_max_tokens(settings),
    )
    settlement = reserve(ledger, request, Limits.of(settings), datetime.now(UTC))
    if isinstance(settlement, LimitReached):
        return None
    usage = Usage(0, 0, settings.model, estimated=True)
    try:
        titled = write_title(settings, messages)
        usage = titled.usage
    except Exception as exc:  # the first words stay the title; nothing to show
        log.info("no title was written: %s", type(exc).__name__)
        return None
    finally:
        settlement.settle(usage)
    only_if = opening_title(question) if opening is None else opening
    if titled.title and rename(titled.title, only_if):
        return titled.title
    return None
