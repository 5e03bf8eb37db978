"""Titles the model writes after a conversation's first answer (the real client and
LangChain against the scripted server; the page through AppTest)."""

from __future__ import annotations

import time

import pytest

from chat_core.answers.titles import clean_title, name_conversation, title_due, title_max_tokens
from chat_core.conversation.conversation import Conversation, ConversationRecord
from chat_core.conversation.messages import ChatMessage, Status
from chat_core.identity import LOCAL_OWNER
from chat_core.limits import MemoryLedger
from chat_core.settings.settings import Settings
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from tests.app.test_app import send
from tests.support.scripted_server import Reply


@pytest.mark.parametrize(
    ("reply", "title"),
    [
        ("Ramen in Tokyo", "Ramen in Tokyo"),
        ('"Ramen in Tokyo."', "Ramen in Tokyo"),
        ("Title: **Ramen** guide\nmore", "Ramen** guide more"),
        ("「東京のラーメン」", "東京のラーメン"),
        ("   ", None),
        ("x" * 300, "x" * 59 + "…"),
    ],
)
def test_a_reply_becomes_a_title_on_one_line(reply, title):
    assert clean_title(reply) == title


class RecordingLedger(MemoryLedger):
    """The in-memory ledger, remembering what was reserved and settled."""

    def __init__(self) -> None:
        super().__init__()
        self.reserved, self.settled = [], []

    def reserve(self, request, limits, now):
        self.reserved.append(request)
        return super().reserve(request, limits, now)

    def settle(self, reservation, usage):
        self.settled.append(usage)
        super().settle(reservation, usage)


def _settings(server, **options) -> Settings:
    return Settings(
        api_key="test-key-not-real", base_url=server.base_url, model="scripted-small", **options
    )


def test_a_title_is_written_counted_and_not_over_the_visitors_own(model_server):
    question, answer = ChatMessage.user("Where is good ramen?"), ChatMessage.assistant("Try…")
    renamed: list[tuple[str, str]] = []
    ledger = RecordingLedger()

    def rename(title: str, only_if: str) -> bool:
        renamed.append((title, only_if))
        return True

    model_server.queue(Reply.text("Good ramen"))
    title = name_conversation(
        _settings(model_server, tokens_per_day=10_000),
        question,
        answer,
        language="en",
        identity="alice",
        ledger=ledger,
        rename=rename,
    )
    assert title == "Good ramen"
    assert renamed == [("Good ramen", "Where is good ramen?")]
    body = model_server.chat_requests[-1].body
    assert "Where is good ramen?" in body["messages"][-1]["content"]
    assert body.get("max_completion_tokens", body.get("max_tokens")) == title_max_tokens(
        _settings(model_server)
    )
    assert [r.identity for r in ledger.reserved] == ["alice"]  # counted like any request
    assert ledger.settled[0].total > 0


def test_no_title_when_messages_per_minute_are_limited_or_the_server_fails(model_server):
    question, answer = ChatMessage.user("q"), ChatMessage.assistant("a")
    common = {"language": "en", "identity": "bob", "ledger": MemoryLedger()}
    limited = _settings(model_server, messages_per_minute=5)
    assert name_conversation(limited, question, answer, rename=lambda *_: True, **common) is None
    assert model_server.chat_requests == []
    model_server.queue(Reply.failure(500))
    failing = _settings(model_server, max_retries=0)
    assert name_conversation(failing, question, answer, rename=lambda *_: True, **common) is None


def test_the_page_shows_the_models_title_after_the_first_answer(
    app, clean_env, model_server, tmp_path
):
    clean_env.setenv("CHAT_AUTO_TITLES", "true")
    app.run()
    model_server.queue(Reply.text("Here is where."), Reply.text("Ramen near the station"))
    send(app, "where can I eat ramen near the station?")
    store = ConversationStore(sqlite_url(tmp_path / "data"))
    deadline = time.monotonic() + 30
    while store.list(LOCAL_OWNER)[0].title != "Ramen near the station":
        assert time.monotonic() < deadline, store.list(LOCAL_OWNER)
        time.sleep(0.1)
    app.run()
    assert any(m.value == "#### Ramen near the station" for m in app.markdown)
    send(app, "and sushi?")  # only the first answer names the conversation
    time.sleep(0.5)
    assert len(model_server.chat_requests) == 3


def _answered(conversation: Conversation, answer: ChatMessage) -> None:
    question = conversation.numbers[-1]
    conversation.receive(conversation.tree.next_number(), question, answer)


@pytest.mark.parametrize("ended", [Status.STOPPED, Status.FAILED])
def test_the_first_answer_that_completes_after_retry_names_the_conversation(ended):
    conversation = Conversation(ConversationRecord())
    conversation.add(ChatMessage.user("Where is good ramen?"))
    assert title_due(conversation.tree) == "Where is good ramen?"
    _answered(conversation, ChatMessage.assistant("Try the", status=ended))
    assert title_due(conversation.tree) == "Where is good ramen?"  # not named by it
    conversation.regenerate(conversation.numbers[-1])  # Retry
    assert title_due(conversation.tree) == "Where is good ramen?"
    _answered(conversation, ChatMessage.assistant("Try the station."))
    assert title_due(conversation.tree) is None  # once: Regenerate names nothing more
    conversation.regenerate(conversation.numbers[-1])
    assert title_due(conversation.tree) is None


def test_an_edited_first_question_is_named_over_the_words_the_conversation_started_with():
    conversation = Conversation(ConversationRecord())
    conversation.add(ChatMessage.user("Where is god ramen?"))
    _answered(conversation, ChatMessage.assistant("", status=Status.FAILED))
    conversation.edit(conversation.numbers[0], "Where is good ramen?", ())
    # The conversation's title is still its first words: the title replaces those.
    assert title_due(conversation.tree) == "Where is god ramen?"


def _title(store: ConversationStore) -> str:
    return store.list(LOCAL_OWNER)[0].title


def _wait_for_title(store: ConversationStore, title: str) -> None:
    deadline = time.monotonic() + 30
    while _title(store) != title:
        assert time.monotonic() < deadline, store.list(LOCAL_OWNER)
        time.sleep(0.1)


def test_a_first_answer_cut_short_is_named_once_retry_completes(
    app, clean_env, model_server, tmp_path
):
    clean_env.setenv("CHAT_AUTO_TITLES", "true")
    clean_env.setenv("OPENAI_MAX_RETRIES", "0")
    store = ConversationStore(sqlite_url(tmp_path / "data"))
    app.run()
    model_server.queue(Reply.text("Part one of it", cut_after=2))  # kept, as a version
    send(app, "where can I eat ramen near the station?")
    time.sleep(0.5)
    assert len(model_server.chat_requests) == 1  # a failed answer asks for no title
    assert _title(store) == "where can I eat ramen near the station?"

    model_server.queue(Reply.text("Here is where."), Reply.text("Ramen near the station"))
    app.button(key="retry_last").click().run()
    assert not app.exception, app.exception
    _wait_for_title(store, "Ramen near the station")
    assert len(model_server.chat_requests) == 3

    app.button(key="retry_last").click().run()  # Regenerate: the title is written once
    time.sleep(0.5)
    assert len(model_server.chat_requests) == 4
    assert _title(store) == "Ramen near the station"


def test_a_first_question_edited_after_a_cut_answer_is_named(
    app, clean_env, model_server, tmp_path
):
    clean_env.setenv("CHAT_AUTO_TITLES", "true")
    clean_env.setenv("OPENAI_MAX_RETRIES", "0")
    store = ConversationStore(sqlite_url(tmp_path / "data"))
    app.run()
    model_server.queue(Reply.text("Part one", cut_after=1))
    send(app, "where is god ramen?")
    time.sleep(0.5)
    assert len(model_server.chat_requests) == 1

    model_server.queue(Reply.text("Here is where."), Reply.text("Good ramen"))
    app.button(key="edit_last").click().run()
    app.text_area(key="edit_box").set_value("where is good ramen?")
    next(b for b in app.button if b.label == "Send").click().run()
    assert not app.exception, app.exception
    _wait_for_title(store, "Good ramen")
    assert len(model_server.chat_requests) == 3
