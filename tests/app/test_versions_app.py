"""Versions of answers and questions on the chat page (AppTest): Regenerate keeps the
earlier answer, any question can be edited into a new branch, and the arrows switch."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from chat_core.identity import LOCAL_OWNER
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from tests.app.test_app import bubbles, send
from tests.app.test_attachments_app import send_with_files
from tests.support.app_server import new_app
from tests.support.scripted_server import Reply


def _counters(app: AppTest) -> list[str]:
    """The ``n / m`` captions of the messages that have versions."""
    return [c.value for c in app.caption if re.fullmatch(r"\d+ / \d+", c.value)]


def _sent(model_server) -> list[str]:
    return [m["content"] for m in model_server.chat_requests[-1].messages[1:]]


def test_regenerate_keeps_the_earlier_answer_one_click_away(app, model_server, tmp_path):
    app.run()
    model_server.queue(Reply.text("first take"))
    send(app, "tell me a joke")
    model_server.queue(Reply.text("second take"))
    app.button(key="retry_last").click().run()
    assert bubbles(app) == [("user", "tell me a joke"), ("assistant", "second take")]
    assert _counters(app) == ["2 / 2"]
    first, again = model_server.chat_requests[-2:]
    assert first.messages == again.messages  # the same question, the same window

    app.button(key="older_2").click().run()  # keys name the message shown: 2, then 1
    assert bubbles(app)[-1] == ("assistant", "first take")
    assert _counters(app) == ["1 / 2"]
    assert app.button(key="older_1").disabled and not app.button(key="newer_1").disabled

    send(app, "another")  # the conversation goes on from the version on screen
    assert _sent(model_server) == ["tell me a joke", "first take", "another"]

    stored = ConversationStore(sqlite_url(tmp_path / "data")).list(LOCAL_OWNER)[0]
    reopened = new_app()
    reopened.query_params["c"] = stored.id
    reopened.run()  # another tab, or a refresh: the branch chosen, every version kept
    assert [text for _, text in bubbles(reopened)] == [
        "tell me a joke",
        "first take",
        "another",
        "Echo: another",
    ]
    assert _counters(reopened) == ["1 / 2"]


def test_an_earlier_question_is_edited_into_a_new_branch(app, model_server):
    app.run()
    send(app, "one")
    send(app, "tow")
    send(app, "three")
    app.button(key="edit_2").click().run()  # the second question, not the last
    assert app.text_area(key="edit_box").value == "tow"
    app.text_area(key="edit_box").set_value("two")
    next(b for b in app.button if b.label == "Send").click().run()
    assert bubbles(app) == [
        ("user", "one"),
        ("assistant", "Echo: one"),
        ("user", "two"),
        ("assistant", "Echo: two"),
    ]
    assert _sent(model_server) == ["one", "Echo: one", "two"]  # the branch, not the old one
    assert _counters(app) == ["2 / 2"]

    app.button(key="older_6").click().run()  # back to the old question and what followed
    assert [text for _, text in bubbles(app)] == [
        "one",
        "Echo: one",
        "tow",
        "Echo: tow",
        "three",
        "Echo: three",
    ]


def test_an_edit_can_be_cancelled_and_sends_nothing(app, model_server):
    app.run()
    send(app, "one")
    send(app, "two")
    requests = len(model_server.chat_requests)
    app.button(key="edit_0").click().run()
    app.text_area(key="edit_box").set_value("changed my mind")
    next(b for b in app.button if b.label == "Cancel").click().run()
    assert [text for _, text in bubbles(app)] == ["one", "Echo: one", "two", "Echo: two"]
    assert len(model_server.chat_requests) == requests
    assert not [b for b in app.button if b.key and b.key.startswith("older_")]


def test_an_edit_keeps_or_leaves_out_each_file(app, model_server):
    app.run()
    send_with_files(
        app,
        "compare these",
        ("a.md", b"# A", "text/markdown"),
        ("b.md", b"# B", "text/markdown"),
    )
    app.button(key="edit_last").click().run()
    app.checkbox(key="edit_keep_file_1").uncheck()  # b.md left out, a.md kept
    app.text_area(key="edit_box").set_value("only this one")
    next(b for b in app.button if b.label == "Send").click().run()
    sent = model_server.chat_requests[-1].messages[-1]["content"]
    assert sent == [{"type": "text", "text": "only this one\n\na.md:\n```md\n# A\n```"}]
    assert _counters(app) == ["2 / 2"]  # the question with both files is a version
