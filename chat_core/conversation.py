"""A visitor's conversation and its rules, as plain Python.

The page asks it to add a question, keep an answer, ask the last question again,
edit it, keep a partial answer or rate an answer; it keeps its messages in order and
saves each change through a :class:`Saver` when the visitor has a saved history.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from .messages import ChatMessage, Feedback, Rating, Status
from .settings import Settings

__all__ = ["COMMENT_LENGTH", "Conversation", "ConversationRecord", "Saver", "opening_title"]

COMMENT_LENGTH = 2000


def opening_title(question: ChatMessage) -> str:
    """A conversation's first title: its first question (or its files' names)."""
    return question.content or ", ".join(a.name for a in question.attachments)


class Saver(Protocol):
    """Where a conversation is saved; every method reports failure instead of raising."""

    def start(self, title: str, settings: Settings) -> str | None: ...

    def put(self, conversation_id: str, position: int, message: ChatMessage) -> bool: ...

    def truncate(self, conversation_id: str, length: int) -> bool: ...

    def save_settings(self, conversation_id: str, settings: Settings) -> bool: ...


@dataclass
class ConversationRecord:
    """What a session keeps of its conversation between runs."""

    messages: list[ChatMessage] = field(default_factory=list)
    id: str | None = None  # in the store; None until saved
    storage_failed: bool = False  # a save failed: the page says so
    # Names the conversation's answer job while it has no id (a history kept in the tab).
    local_key: str = field(default_factory=lambda: uuid.uuid4().hex)


class Conversation:
    """The rules of one conversation over a record, saving through ``saver`` if any."""

    def __init__(self, record: ConversationRecord, saver: Saver | None = None) -> None:
        self.record = record
        self._saver = saver

    @property
    def messages(self) -> list[ChatMessage]:
        return self.record.messages

    @property
    def id(self) -> str | None:
        return self.record.id

    @property
    def storage_failed(self) -> bool:
        return self.record.storage_failed

    @property
    def key(self) -> str:
        """What its answer job is keyed by: the stored id, else a name of its own."""
        return self.record.id or self.record.local_key

    def last_question(self) -> ChatMessage | None:
        return next((m for m in reversed(self.messages) if m.is_user), None)

    # Saving ------------------------------------------------------------------------

    def _note(self, ok: bool) -> None:
        if not ok:
            self.record.storage_failed = True

    def _save(self, position: int) -> None:
        if self._saver is not None and self.id is not None:
            self._note(self._saver.put(self.id, position, self.messages[position]))

    def begin_turn(self, question: ChatMessage, settings: Settings) -> None:
        """Make sure the conversation exists in the store, with this turn's settings.

        A conversation created late (the store failed before) starts with what came
        first, so nothing said earlier is missing from it.
        """
        if self._saver is None:
            return
        if self.id is not None:
            self._note(self._saver.save_settings(self.id, settings))
            return
        first = self.messages[0] if self.messages and self.messages[0].is_user else question
        title = opening_title(first)
        self.record.id = self._saver.start(title, settings)
        self._note(self.id is not None)
        for position in range(len(self.messages)):
            self._save(position)

    def add(self, message: ChatMessage) -> None:
        self.messages.append(message)
        self._save(len(self.messages) - 1)

    def receive(self, position: int, answer: ChatMessage) -> None:
        """The answer a job wrote (and saved) at ``position``, in place of whatever stood
        there: nothing, or the partial answer a page loaded while it was written."""
        del self.messages[position:]
        self.messages.append(answer)

    def awaits(self, position: int) -> bool:
        """Whether the answer at ``position`` is still to come here: its question is the
        last message, or is followed only by that answer as saved while being written
        (what a page loads after a refresh)."""
        messages = self.messages
        if position == 0 or len(messages) not in (position, position + 1):
            return False
        if not messages[position - 1].is_user:
            return False
        return len(messages) == position or messages[position].status is Status.STREAMING

    # Asking again ------------------------------------------------------------------

    def drop_last_turn(self) -> ChatMessage | None:
        """Remove the last answer (if any) and the question before it; return the question."""
        messages = self.messages
        if messages and not messages[-1].is_user:
            messages.pop()
        question = messages.pop() if messages and messages[-1].is_user else None
        if self._saver is not None and self.id is not None:
            self._note(self._saver.truncate(self.id, len(messages)))
        return question

    def retry_last(self) -> ChatMessage | None:
        """The last question to ask again (Retry, Regenerate), its turn removed."""
        question = self.drop_last_turn()
        return None if question is None else _resend(question.content, question)

    def edit_last(self, text: str) -> ChatMessage | None:
        """The last question with ``text`` instead, to ask in its place; None when the
        edit leaves nothing to send (no text and no file that can be sent)."""
        question = self.last_question()
        if not text and not (question and any(a.sent for a in question.attachments)):
            return None
        return _resend(text, self.drop_last_turn())

    def keep_partial_answer(self) -> None:
        """The visitor keeps a failed answer's partial text: the model will see it too."""
        messages = self.messages
        if messages and messages[-1].status is Status.FAILED and not messages[-1].is_user:
            messages[-1] = replace(messages[-1], status=Status.KEPT)
            self._save(len(messages) - 1)

    # Feedback ----------------------------------------------------------------------

    def _change(self, message_id: str, change: Callable[[ChatMessage], ChatMessage]) -> None:
        for position, message in enumerate(self.messages):
            if message.id == message_id:
                self.messages[position] = change(message)
                self._save(position)
                return

    def rate(self, message_id: str, rating: Rating | None) -> None:
        """Thumbs up or down on an answer (None clears it); a thumbs up drops the comment."""

        def change(message: ChatMessage) -> ChatMessage:
            if rating is None:
                return replace(message, feedback=None)
            kept = message.feedback.comment if message.feedback and rating is Rating.DOWN else ""
            return replace(message, feedback=Feedback(rating, kept))

        self._change(message_id, change)

    def comment(self, message_id: str, comment: str) -> None:
        """What was wrong with an answer rated down (at most COMMENT_LENGTH characters)."""
        feedback = Feedback(Rating.DOWN, comment[:COMMENT_LENGTH])
        self._change(message_id, lambda message: replace(message, feedback=feedback))

    # Resuming ----------------------------------------------------------------------

    def resume(self, conversation_id: str, messages: list[ChatMessage]) -> None:
        """Continue a stored conversation in place of this one."""
        self.record.messages = list(messages)
        self.record.id = conversation_id
        self.record.storage_failed = False

    def restart(self) -> None:
        """A new, empty conversation (New chat)."""
        self.record.messages = []
        self.record.id = None
        self.record.local_key = uuid.uuid4().hex


def _resend(text: str, question: ChatMessage | None) -> ChatMessage:
    """``text`` as a new question, with the files of ``question`` that could be sent."""
    files = [a for a in question.attachments if a.sent] if question else []
    return ChatMessage.user(text, attachments=files)
