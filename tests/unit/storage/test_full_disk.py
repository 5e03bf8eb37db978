"""A database that refuses writes for a while (SQLite's "database or disk is full"):
what was saved stays reachable, what was not is kept in the session and saved later."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from chat_core.conversation.conversation import Conversation, ConversationRecord
from chat_core.conversation.messages import ChatMessage
from chat_core.settings.settings import Settings
from chat_core.storage.engine import sqlite_url
from chat_core.storage.schema import conversations, messages
from chat_core.storage.store import ConversationStore, MissingMessageError
from components.persistence import OwnerHistory

SETTINGS = Settings(model="m")
LONG = "x" * 20_000  # more than a page of SQLite: a full database cannot take it


@dataclass
class Disk:
    """The database file's room: full, no page may be added (``PRAGMA max_page_count``)."""

    store: ConversationStore
    full: bool = False

    def __post_init__(self) -> None:
        event.listen(self.store.engine, "connect", self._limit)

    def _limit(self, dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages if self.full else 1_000_000_000}")
        cursor.close()

    def fill(self, full: bool = True) -> None:
        self.full = full
        self.store.engine.dispose()  # every connection from now on has the new room


def job_answers(history: OwnerHistory, conversation: Conversation, text: str) -> None:
    """What an answer's job does: save the answer under the question, then the page
    takes it (components/answers.py, pages/chat.py)."""
    question, number = conversation.numbers[-1], conversation.tree.next_number()
    answer = ChatMessage.assistant(text)
    stored = history.put(conversation.id, number, question, answer, new=True)
    unsaved = None if stored is not None else True
    conversation.receive(number if stored is None else stored, question, answer, unsaved=unsaved)


def ask(history: OwnerHistory, conversation: Conversation, question: str, answer: str) -> None:
    asked = ChatMessage.user(question)
    conversation.begin_turn(asked, SETTINGS)
    conversation.add(asked)
    job_answers(history, conversation, answer)


def stored_rows(store: ConversationStore, conversation_id: str) -> tuple[int | None, dict]:
    """The conversation's branch pointer and its messages' parents, as stored."""
    with store.engine.connect() as connection:
        current = connection.execute(
            select(conversations.c.current).where(conversations.c.id == conversation_id)
        ).scalar()
        rows = connection.execute(
            select(messages.c.position, messages.c.parent).where(
                messages.c.conversation_id == conversation_id
            )
        )
        return current, {row.position: row.parent for row in rows}


@pytest.fixture
def full_disk(tmp_path):
    store = ConversationStore(sqlite_url(tmp_path / "data"))
    return store, Disk(store), OwnerHistory(store, "me")


def test_the_disk_really_fills(full_disk):
    store, disk, _ = full_disk
    cid = store.create("me", title="t", settings={})
    disk.fill()
    with pytest.raises(OperationalError, match="full"):
        store.put_message(cid, "me", 0, ChatMessage.user(LONG), parent=None, new=True)


def test_a_full_disk_mid_conversation_loses_nothing_said_before_or_after(full_disk):
    store, disk, history = full_disk
    conversation = Conversation(ConversationRecord(), history)
    ask(history, conversation, "q1", "a1")
    disk.fill()
    ask(history, conversation, "q2 " + LONG, "a2 " + LONG)
    ask(history, conversation, "q3 " + LONG, "a3 " + LONG)
    assert conversation.unsaved == 4 and conversation.storage_failed

    current, parents = stored_rows(store, conversation.id)
    assert current in parents and all(p is None or p in parents for p in parents.values())
    reopened = store.load(conversation.id, "me")
    assert [m.content for m in reopened.messages] == ["q1", "a1"]  # still reachable

    disk.fill(False)
    conversation.save_unsaved()  # the page's next run, or the next message
    assert conversation.unsaved == 0 and not conversation.storage_failed
    reopened = store.load(conversation.id, "me")
    assert [m.content[:2] for m in reopened.messages] == ["q1", "a1", "q2", "a2", "q3", "a3"]
    assert reopened.messages == conversation.messages


def test_an_answer_saved_while_its_question_is_not_waits_for_it(full_disk):
    store, disk, history = full_disk
    conversation = Conversation(ConversationRecord(), history)
    ask(history, conversation, "q1", "a1")
    disk.fill()
    conversation.add(ChatMessage.user("q2 " + LONG))
    disk.fill(False)  # freed while the answer is written: its job saves it first
    job_answers(history, conversation, "a2")
    current, parents = stored_rows(store, conversation.id)
    assert current in parents and all(p is None or p in parents for p in parents.values())
    conversation.save_unsaved()
    reopened = store.load(conversation.id, "me")
    assert [m.content[:2] for m in reopened.messages] == ["q1", "a1", "q2", "a2"]


def test_the_store_refuses_a_reply_or_a_branch_to_a_message_it_lacks(store, owner):
    cid = store.create(owner, title="t", settings={})
    store.put_message(cid, owner, 0, ChatMessage.user("q"), parent=None)
    with pytest.raises(MissingMessageError):
        store.put_message(cid, owner, 2, ChatMessage.assistant("a"), parent=1, new=True)
    with pytest.raises(MissingMessageError):
        store.select(cid, owner, 5)
    assert [m.content for m in store.load(cid, owner).messages] == ["q"]


def test_the_page_says_how_many_messages_are_not_saved_and_saves_them_later(
    app, model_server, tmp_path
):
    """Through the page: the app's own store (CHAT_DATA_DIR) fills, then has room again."""
    from chat_core.identity import LOCAL_OWNER
    from components.persistence import _open
    from tests.app.test_app import bubbles, send

    app.run()
    send(app, "first")
    store = _open(sqlite_url(tmp_path / "data"))  # the one the page uses (cached)
    disk = Disk(store)
    disk.fill()
    send(app, "second " + LONG)
    warnings = [w.value for w in app.warning]
    assert any(
        w.startswith("2 message(s) of this conversation are not saved yet") for w in warnings
    )
    assert bubbles(app)[-1][1].startswith("Echo: second")  # the chat goes on
    disk.fill(False)
    send(app, "third")
    assert not any("not saved yet" in w.value for w in app.warning)
    (summary,) = store.list(LOCAL_OWNER)
    saved = [m.content[:12] for m in store.load(summary.id, LOCAL_OWNER).messages]
    assert saved == [
        "first",
        "Echo: first",
        "second " + "x" * 5,
        "Echo: second",
        "third",
        "Echo: third",
    ]
