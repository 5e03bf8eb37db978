"""Storing imported conversations while others write: nothing is lost, nothing doubled."""

from __future__ import annotations

import json
import threading

from chat_core.conversation.messages import ChatMessage
from chat_core.transfer.import_files import read_import


def _export(count: int) -> bytes:
    """An app export of ``count`` small conversations, each different."""
    return json.dumps(
        [
            {
                "title": f"imported {n}",
                "messages": [
                    {"role": "user", "content": f"question {n}"},
                    {"role": "assistant", "content": f"answer {n}"},
                ],
            }
            for n in range(count)
        ]
    ).encode()


def _chatting(store, owner: str, stop: threading.Event, errors: list) -> None:
    """Another visitor's tab: one message after another until ``stop``."""
    try:
        cid = store.create(owner, title="chatting", settings={})
        position = 0
        while not stop.is_set():
            store.put_message(cid, owner, position, ChatMessage.user(f"message {position}"))
            position += 1
    except BaseException as exc:  # collected and reported by the test
        errors.append(exc)


def test_an_import_while_another_visitor_writes_stores_every_conversation(store, owner):
    result = read_import(_export(150))
    stop, errors = threading.Event(), []
    writer = threading.Thread(target=_chatting, args=(store, f"{owner}-other", stop, errors))
    writer.start()
    try:
        ids = [store.import_conversation(owner, c) for c in result.conversations]
    finally:
        stop.set()
        writer.join()
    assert errors == []
    assert None not in ids and len(set(ids)) == 150
    assert sorted(s.title for s in store.list(owner, limit=1000)) == sorted(
        f"imported {n}" for n in range(150)
    )


def test_one_file_imported_in_two_tabs_at_once_is_stored_once(store, owner):
    result = read_import(_export(30))
    ids: list[str | None] = []

    def importing() -> None:
        ids.extend(store.import_conversation(owner, c) for c in result.conversations)

    tabs = [threading.Thread(target=importing) for _ in range(2)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join()
    assert len([i for i in ids if i is not None]) == 30
    assert len(store.list(owner, limit=1000)) == 30


def test_chatgpts_code_and_named_files_come_back_from_the_store(store, owner):
    from tests.unit.transfer.test_imports import RAN, chatgpt_export

    ramen = read_import(json.dumps(chatgpt_export()).encode()).conversations[0]
    stored = store.load(store.import_conversation(owner, ramen), owner)
    by_text = {stored.tree.message(n).content: stored.tree.message(n) for n in stored.tree}
    question = by_text["近い順に教えて"]
    assert [(a.name, a.size, a.sent) for a in question.attachments] == [
        ("ramen.jpg", 123456, False),
        ("menu.pdf", 2048, False),
    ]
    assert any(RAN in text for text in by_text)


def test_a_file_size_no_column_holds_does_not_lose_the_conversation(store, owner):
    file = {"name": "a.txt", "kind": "text", "size": 2**40, "text": "x"}
    export = {"title": "big", "messages": [{"role": "user", "content": "q", "attachments": [file]}]}
    (conversation,) = read_import(json.dumps(export).encode()).conversations
    stored = store.load(store.import_conversation(owner, conversation), owner)
    assert [a.name for a in stored.messages[0].attachments] == ["a.txt"]


def test_a_conversation_is_tried_again_while_the_database_stays_busy(store, owner, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from chat_core.storage import import_rows

    busy = iter([True, True])  # busy past the busy timeout twice, then free
    store_once = import_rows._store_once

    def sometimes_busy(*arguments):
        if next(busy, False):
            raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))
        return store_once(*arguments)

    monkeypatch.setattr(import_rows, "_store_once", sometimes_busy)
    monkeypatch.setattr(import_rows, "RETRY_PAUSES", (0.01, 0.01))
    (conversation,) = read_import(_export(1)).conversations
    assert store.import_conversation(owner, conversation) is not None
    assert [s.title for s in store.list(owner)] == ["imported 0"]
