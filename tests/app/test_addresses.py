"""Conversations with addresses (?c=<id>) and answers written by jobs, under AppTest."""

from __future__ import annotations

import time

import pytest

from chat_core.conversation.messages import ChatMessage, Status
from chat_core.identity import LOCAL_OWNER
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from tests.app.test_app import bubbles, send
from tests.support.app_server import new_app


@pytest.fixture
def data_store(clean_env, tmp_path) -> ConversationStore:
    return ConversationStore(sqlite_url(tmp_path / "data"))


def test_the_address_names_the_conversation_from_the_first_message(app, model_server, data_store):
    app.run()
    assert "c" not in app.query_params
    send(app, "first words")
    (summary,) = data_store.list(LOCAL_OWNER)
    assert app.query_params["c"] == summary.id


def test_the_address_opens_the_conversation_in_a_new_session(app, model_server, data_store):
    app.run()
    send(app, "remember this")
    address = app.query_params["c"]
    tab = new_app()
    tab.query_params["c"] = address
    tab.run()
    assert not tab.exception
    assert bubbles(tab) == [("user", "remember this"), ("assistant", "Echo: remember this")]
    send(tab, "and this")
    assert [m.content for m in data_store.load(address, LOCAL_OWNER).messages][-2:] == [
        "and this",
        "Echo: and this",
    ]


@pytest.mark.parametrize("whose", ["unknown", "someone else's"])
def test_an_address_that_is_not_yours_shows_not_found_and_nothing_else(
    app, model_server, data_store, whose
):
    secret = "a secret of someone else"
    if whose == "unknown":
        address = "00000000-0000-0000-0000-000000000000"
    else:
        address = data_store.create("user:someone", title=secret, settings={})
        data_store.put_message(address, "user:someone", 0, ChatMessage.user(secret))
    app.query_params["c"] = address
    app.run()
    assert not app.exception
    assert "was not found" in app.error[0].value
    assert bubbles(app) == []
    assert secret not in str([e.value for e in app.markdown])
    assert "c" not in app.query_params
    # The same message, whether the conversation exists or not.
    assert app.error[0].value.startswith("This conversation was not found")


def test_an_answer_written_by_the_job_is_saved_even_with_no_page_left(
    app, model_server, data_store
):
    """The job saves the answer itself: the page that asked may be gone by then."""
    app.run()
    send(app, "first")
    address = app.query_params["c"]
    stored = data_store.load(address, LOCAL_OWNER)
    assert [(m.content, m.status) for m in stored.messages] == [
        ("first", Status.COMPLETE),
        ("Echo: first", Status.COMPLETE),
    ]


def _written_elsewhere(app, data_store) -> str:
    """A conversation whose answer another process is writing (saved moments ago), open."""
    address = data_store.create(LOCAL_OWNER, title="q", settings={})
    data_store.put_message(address, LOCAL_OWNER, 0, ChatMessage.user("q"))
    partial = ChatMessage.assistant("half an ans", status=Status.STREAMING)
    data_store.put_message(address, LOCAL_OWNER, 1, partial)
    app.query_params["c"] = address
    app.run()
    return address


def test_a_stored_answer_still_being_written_elsewhere_is_shown_as_such(
    app, model_server, data_store
):
    """Another process writes it (saved moments ago): the page says so, then takes it."""
    address = _written_elsewhere(app, data_store)
    assert not app.exception
    assert any("still being written" in c.value for c in app.caption)
    data_store.put_message(address, LOCAL_OWNER, 1, ChatMessage.assistant("half an answer"))
    app.run()
    assert bubbles(app)[-1] == ("assistant", "half an answer")


def test_a_message_typed_while_another_process_writes_the_answer_waits_for_it(
    app, model_server, data_store
):
    address = _written_elsewhere(app, data_store)
    send(app, "typed meanwhile")
    assert any("still being written" in c.value for c in app.caption)
    assert any(c.value.endswith("typed meanwhile") for c in app.caption)  # shown waiting
    assert model_server.chat_requests == []  # it waits its turn
    data_store.put_message(address, LOCAL_OWNER, 1, ChatMessage.assistant("half an answer"))
    app.run()
    assert bubbles(app)[-2:] == [
        ("user", "typed meanwhile"),
        ("assistant", "Echo: typed meanwhile"),
    ]


def test_a_third_answer_at_once_for_one_user_is_refused_with_the_reason(
    app, model_server, clean_env
):
    """Answers at once are capped per user (CHAT_ANSWERS_PER_USER): the question stays."""
    from chat_core.answers.jobs import AnswerJob

    clean_env.setenv("CHAT_ANSWERS_PER_USER", "1")
    app.run()
    from chat_core.settings.settings import Settings
    from components.answers import job_registry

    def hold(job: AnswerJob) -> ChatMessage:
        """An answer being written in another conversation, until it is stopped."""
        while job.stop_reason is None:
            time.sleep(0.01)
        return ChatMessage.assistant("", status=Status.STOPPED)

    busy = job_registry(Settings(answers_per_user=1)).start(
        "another-conversation", LOCAL_OWNER, hold
    )
    assert isinstance(busy, AnswerJob)
    try:
        send(app, "one more")
        assert "at most 1" in app.error[0].value
        assert bubbles(app) == [("user", "one more")]
        assert model_server.chat_requests == []
    finally:
        busy.stop()
