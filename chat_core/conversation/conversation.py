"""A visitor's conversation and its rules, as plain Python.

The page asks it to add a question, keep an answer, answer a question again, edit any
question, switch between versions, keep a partial answer or rate an answer; it keeps
every version (chat_core.conversation.versions) and the branch on screen, and saves
each change through a :class:`Saver` when the visitor has a saved history.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from chat_core.conversation.messages import ChatMessage, Feedback, Rating, Status
from chat_core.conversation.versions import MessageTree, Versions
from chat_core.errors import UserFacingError
from chat_core.files.attachments import Attachment
from chat_core.settings.settings import Settings

__all__ = ["COMMENT_LENGTH", "Conversation", "ConversationRecord", "Saver", "opening_title"]

COMMENT_LENGTH = 2000


def opening_title(question: ChatMessage) -> str:
    """A conversation's first title: its first question (or its files' names)."""
    return question.content or ", ".join(a.name for a in question.attachments)


class Saver(Protocol):
    """Where a conversation is saved; every method reports failure instead of raising."""

    def start(
        self, title: str, settings: Settings, project_id: str | None = None
    ) -> str | None: ...

    def put(
        self,
        conversation_id: str,
        number: int,
        parent: int | None,
        message: ChatMessage,
        *,
        new: bool = False,
    ) -> int | None:
        """The number it was stored as, or None (failed). A ``new`` message never takes
        the place of one stored already (another tab's): it is stored as the next free."""

    def remove(self, conversation_id: str, number: int) -> bool: ...

    def select(self, conversation_id: str, number: int) -> bool: ...

    def save_settings(self, conversation_id: str, settings: Settings) -> bool: ...


@dataclass
class ConversationRecord:
    """What a session keeps of its conversation between runs: every version of its
    messages, and the branch on screen."""

    tree: MessageTree = field(default_factory=MessageTree)
    branch: list[int] = field(default_factory=list)  # numbers, first question to last
    id: str | None = None  # in the store; None until saved
    storage_failed: bool = False  # a save failed: the page says so
    # Messages the store does not have as they stand here (their save failed, or their
    # parent's did), each with whether it was ever stored: saved again on every save.
    unsaved: dict[int, bool] = field(default_factory=dict)
    # Names the conversation's answer job while it has no id (a history kept in the tab).
    local_key: str = field(default_factory=lambda: uuid.uuid4().hex)
    loaded_at: float = 0.0  # time.monotonic() when it was last read from the store
    project_id: str | None = None  # the project it is in (a new one: where it will be)

    @property
    def messages(self) -> list[ChatMessage]:
        """The branch on screen (a new list: changes go through the conversation)."""
        return [self.tree.message(number) for number in self.branch]


class Conversation:
    """The rules of one conversation over a record, saving through ``saver`` if any."""

    def __init__(self, record: ConversationRecord, saver: Saver | None = None) -> None:
        self.record = record
        self._saver = saver

    @property
    def messages(self) -> list[ChatMessage]:
        return self.record.messages

    @property
    def numbers(self) -> list[int]:
        """The numbers of the messages on screen, in order."""
        return list(self.record.branch)

    @property
    def tree(self) -> MessageTree:
        return self.record.tree

    @property
    def id(self) -> str | None:
        return self.record.id

    @property
    def storage_failed(self) -> bool:
        return self.record.storage_failed

    @property
    def unsaved(self) -> int:
        """How many of its messages are not saved yet (the page says so)."""
        return len(self.record.unsaved) if self._saving() else 0

    @property
    def key(self) -> str:
        """What its answer job is keyed by: the stored id, else a name of its own."""
        return self.record.id or self.record.local_key

    def versions(self, number: int) -> Versions:
        return self.tree.versions(number)

    # Saving ------------------------------------------------------------------------

    def _note(self, ok: bool) -> None:
        if not ok:
            self.record.storage_failed = True

    def _saving(self) -> bool:
        return self._saver is not None and self.id is not None

    def _save(self, number: int, *, new: bool = False) -> None:
        """Save message ``number`` (``new``: never stored), after those still unsaved."""
        if not self._saving():
            return
        unsaved = self.record.unsaved
        unsaved[number] = unsaved.get(number, False) or new
        self.save_unsaved()

    def save_unsaved(self) -> None:
        """Save again what the store does not have yet, parents first; a message whose
        parent is not stored waits for it, so the store never holds a reply to a message
        it lacks. Stops at the first failure: the rest waits for the next save."""
        unsaved = self.record.unsaved
        if not unsaved or not self._saving():
            return
        inserted = False
        for number in sorted(unsaved, key=lambda n: len(self.tree.path(n))):
            parent = self.tree.parent(number)
            if parent in unsaved:
                continue
            new = unsaved[number]
            stored = self._saver.put(self.id, number, parent, self.tree.message(number), new=new)
            if stored is None:
                self._note(False)
                break
            del unsaved[number]
            inserted = inserted or new
            if stored != number:  # another tab had taken the number
                if stored in self.tree:  # one still unsaved here has the store's number
                    self._move(stored, self.tree.next_number())
                self._move(number, stored)
        if inserted:  # the store's branch on screen is where its last new message went
            self._select_branch()
        if not unsaved:
            self.record.storage_failed = False

    def _move(self, old: int, new: int) -> None:
        """Message ``old`` is number ``new`` from now on."""
        self.tree.renumber(old, new)
        self.record.branch = [new if n == old else n for n in self.record.branch]
        if old in self.record.unsaved:
            self.record.unsaved[new] = self.record.unsaved.pop(old)

    def _select_branch(self) -> None:
        """Show in the store the branch on screen, down to its last stored message."""
        stored = [n for n in self.record.branch if n not in self.record.unsaved]
        if stored and self._saving():
            self._note(self._saver.select(self.id, stored[-1]))

    def _forget(self, number: int) -> None:
        """Remove from the store a message removed here (if it was ever stored)."""
        if self._saving() and not self.record.unsaved.pop(number, False):
            self._note(self._saver.remove(self.id, number))

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
        messages = self.messages
        first = messages[0] if messages and messages[0].is_user else question
        self.record.id = self._saver.start(opening_title(first), settings, self.record.project_id)
        self._note(self.id is not None)
        if self._saving():
            self.record.unsaved = dict.fromkeys(self.tree, True)
            self.save_unsaved()

    def add(self, message: ChatMessage) -> None:
        """A new message at the end of the branch on screen."""
        branch = self.record.branch
        number = self.tree.add(message, branch[-1] if branch else None)
        self.record.branch = self.tree.show(number)
        self._save(number, new=True)

    def _replace(self, number: int, message: ChatMessage) -> None:
        self.tree.put(number, message, self.tree.parent(number))
        self._save(number)

    def receive(
        self, number: int, question: int, answer: ChatMessage, *, unsaved: bool | None = None
    ) -> None:
        """The answer a job wrote (and saved) as ``number`` to question ``question``, in
        place of whatever stood there: nothing, or the partial answer a page loaded while
        it was written. It is on screen from now on. ``unsaved``: the job's last save
        failed, and it had never stored the answer (True) or had (False): saved from here.
        """
        self.tree.put(number, answer, question)
        self.record.branch = self.tree.show(number)
        if unsaved is not None:
            self._save(number, new=unsaved)

    def awaits(self, number: int, question: int | None) -> bool:
        """Whether the answer ``number`` to ``question`` is still to come here: the branch
        on screen ends with that question and the number is still to be given (not an
        answer shown, nor a failed try removed before asking again), or ends with the
        answer as saved while being written (what a page loads after a refresh)."""
        branch, tree = self.record.branch, self.tree
        if not branch or question not in tree or not tree.message(question).is_user:
            return False
        if branch[-1] == question:
            return number >= tree.next_number()
        return (
            number in tree
            and tree.parent(number) == question
            and tree.message(number).status is Status.STREAMING
            and branch[-1] == number
        )

    def unanswered(self) -> ChatMessage | None:
        """The question that ends the branch on screen, if it has no answer on it."""
        messages = self.messages
        return messages[-1] if messages and messages[-1].is_user else None

    # Versions ----------------------------------------------------------------------

    def switch(self, number: int, offset: int) -> None:
        """Show the version ``offset`` places from message ``number`` (the arrows), and below
        it the branch last shown under it (else its newest replies)."""
        sibling = self.versions(number).step(offset)
        if sibling is None:
            return
        leaf = self.tree.leaf_under(sibling)
        self.record.branch = self.tree.show(leaf)
        self._select_branch()

    def regenerate(self, number: int) -> bool:
        """Make ready to answer again the question answer ``number`` replies to; the
        earlier answer stays as a version, unless it is a failed try with nothing in it.
        False when there is no such question."""
        if number not in self.tree or self.tree.message(number).is_user:
            return False
        question = self.tree.parent(number)
        if question is None:
            return False
        if _empty_failure(self.tree.message(number)) and not self.tree.children(number):
            self.tree.remove(number)
            self._forget(number)
        self.record.branch = self.tree.show(question)
        return True

    def edit(self, number: int, text: str, files: tuple[Attachment, ...]) -> ChatMessage | None:
        """A new version of question ``number`` (its sibling) with ``text`` and
        ``files``, shown and ready to be answered; the earlier one stays as a version,
        unless it was never sent (refused). None when there is nothing to send (no text
        and no file that can be sent)."""
        if number not in self.tree or not self.tree.message(number).is_user:
            return None
        kept = tuple(file for file in files if file.sent)
        if not text and not kept:
            return None
        old, parent = self.tree.message(number), self.tree.parent(number)
        self.record.branch = self.tree.show(parent)
        if old.status is Status.FAILED and not self.tree.children(number):
            self.tree.remove(number)
            self._forget(number)
        question = ChatMessage.user(text, attachments=kept)
        self.add(question)
        return question

    def refuse(self, error: UserFacingError) -> None:
        """The question ending the branch was not sent: a new one is marked so in place;
        one asked again gets a failed answer (its earlier answers stay versions)."""
        number = self.record.branch[-1]
        question = self.tree.message(number)
        if self.tree.children(number):
            self.add(ChatMessage.assistant("", status=Status.FAILED, error=error))
        else:
            self._replace(number, replace(question, status=Status.FAILED, error=error))

    def keep_partial_answer(self) -> None:
        """The visitor keeps a failed answer's partial text: the model will see it too."""
        branch = self.record.branch
        if not branch:
            return
        last = self.tree.message(branch[-1])
        if last.status is Status.FAILED and not last.is_user:
            self._replace(branch[-1], replace(last, status=Status.KEPT))

    # Feedback ----------------------------------------------------------------------

    def _change(self, message_id: str, change: Callable[[ChatMessage], ChatMessage]) -> None:
        for number in self.record.branch:
            message = self.tree.message(number)
            if message.id == message_id:
                self._replace(number, change(message))
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

    def resume(
        self,
        conversation_id: str,
        tree: MessageTree,
        current: int | None,
        project_id: str | None = None,
    ) -> None:
        """Continue a stored conversation in place of this one, on the branch ending
        with ``current``."""
        self.record.project_id = project_id
        self.record.tree = tree
        self.record.branch = tree.show(current)
        self.record.id = conversation_id
        self.record.storage_failed = False
        self.record.unsaved = {}
        self.record.loaded_at = time.monotonic()

    @property
    def project_id(self) -> str | None:
        return self.record.project_id

    def moved(self, project_id: str | None) -> None:
        """It is in ``project_id`` now (the store was told)."""
        self.record.project_id = project_id

    def loaded_since(self, moment: float) -> bool:
        """Whether it was read from the store after ``moment`` (time.monotonic()): an
        answer that ended before then is in it as saved, or was removed since."""
        return self.record.loaded_at > moment

    def restart(self, project_id: str | None = None) -> None:
        """A new, empty conversation (New chat), to be saved in ``project_id``."""
        self.record.project_id = project_id
        self.record.tree = MessageTree()
        self.record.branch = []
        self.record.id = None
        self.record.unsaved = {}
        self.record.local_key = uuid.uuid4().hex


def _empty_failure(message: ChatMessage) -> bool:
    """A failed try that shows nothing but its error: not worth keeping as a version."""
    return message.status is Status.FAILED and not message.content and message.thinking is None
