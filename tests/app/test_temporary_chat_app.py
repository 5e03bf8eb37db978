"""A temporary chat (AppTest, the local owner): never saved, said as such, gone with the
session; switching it off starts a chat that is saved again."""

from __future__ import annotations

from chat_core.identity import LOCAL_OWNER
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from components.actions import TEMPORARY_SWITCH
from tests.app.test_app import bubbles, send
from tests.support.app_server import new_app
from tests.support.scripted_server import Reply


def test_a_temporary_chat_answers_but_is_never_saved(app, model_server, tmp_path):
    app.run()
    app.toggle(key=TEMPORARY_SWITCH).set_value(True).run()
    assert any("nothing here is saved" in i.value for i in app.info)
    model_server.queue(Reply.text("A secret answer."))
    send(app, "a secret question")
    assert bubbles(app)[-1] == ("assistant", "A secret answer.")
    store = ConversationStore(sqlite_url(tmp_path / "data"))
    assert store.list(LOCAL_OWNER) == []
    assert "c" not in app.query_params

    refreshed = new_app()  # a refresh is a new session
    refreshed.run()
    assert not any(m.value == "a secret question" for m in refreshed.markdown)
    assert not refreshed.toggle(key=TEMPORARY_SWITCH).value

    app.toggle(key=TEMPORARY_SWITCH).set_value(False).run()
    assert not any("nothing here is saved" in i.value for i in app.info)
    assert bubbles(app) == []  # the temporary chat is gone
    model_server.queue(Reply.text("Kept."))
    send(app, "a saved question")
    assert [c.title for c in store.list(LOCAL_OWNER)] == ["a saved question"]
