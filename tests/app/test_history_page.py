"""Conversations saved as they happen, listed and resumed on the history page (AppTest)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from chat_core.conversation.messages import ChatMessage, Status
from chat_core.identity import LOCAL_OWNER
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from components.history_list import PAGE_SIZE
from tests.app.test_app import bubbles, send
from tests.support.app_server import new_app, open_model_settings
from tests.support.many_conversations import add_conversations
from tests.support.scripted_server import Reply


@pytest.fixture
def data_store(clean_env, tmp_path) -> ConversationStore:
    return ConversationStore(sqlite_url(tmp_path / "data"))


def history_page(app: AppTest) -> AppTest:
    app.switch_page("pages/history.py").run()
    assert not app.exception, app.exception
    return app


def row_titles(app: AppTest) -> list[str]:
    """Each row's link to its conversation, as labelled (the dialog's Open link aside)."""
    return [
        link.proto.label
        for link in app.get("page_link")
        if link.proto.query_string.startswith("c=") and link.proto.label != "Open"
    ]


def open_from_history(app: AppTest, conversation_id: str) -> AppTest:
    """Follow a row's link: the chat page at the conversation's address."""
    assert f"c={conversation_id}" in [link.proto.query_string for link in app.get("page_link")]
    app.query_params["c"] = conversation_id
    app.switch_page("pages/chat.py").run()
    assert not app.exception, app.exception
    return app


def actions_of(app: AppTest, conversation_id: str) -> AppTest:
    """Open the row's actions dialog."""
    app.button(key=f"actions_{conversation_id}").click().run()
    assert not app.exception, app.exception
    return app


def test_every_message_is_saved_as_it_happens(app, model_server, data_store):
    app.run()
    send(app, "Remember this: 日本語")
    model_server.queue(Reply.text("cut here", cut_after=1))
    send(app, "second")
    (summary,) = data_store.list(LOCAL_OWNER)
    stored = data_store.load(summary.id, LOCAL_OWNER)
    assert [(m.content, m.status) for m in stored.messages] == [
        ("Remember this: 日本語", Status.COMPLETE),
        ("Echo: Remember this: 日本語", Status.COMPLETE),
        ("second", Status.COMPLETE),
        ("cut", Status.FAILED),
    ]
    assert stored.title == "Remember this: 日本語"
    assert stored.settings["model"] == "scripted-small"


def test_the_history_page_lists_searches_and_reopens(app, model_server, data_store):
    open_model_settings(app).run()
    send(app, "about ramen ラーメン")
    next(b for b in app.sidebar.button if b.key == "new_chat").click().run()
    app.slider(key="sidebar_history_window").set_value(1)
    send(app, "about trains")
    history_page(app)
    assert row_titles(app) == ["about trains", "about ramen ラーメン"]
    cards = [c.value for c in app.caption if "messages" in c.value]  # each card's date, count
    assert "2 messages" in cards[0]

    app.text_input(key="history_search").set_value("ラーメン").run()
    assert row_titles(app) == ["about ramen ラーメン"]
    ramen = data_store.list(LOCAL_OWNER, search="ramen")[0].id
    open_from_history(app, ramen)
    assert bubbles(app) == [
        ("user", "about ramen ラーメン"),
        ("assistant", "Echo: about ramen ラーメン"),
    ]
    send(app, "more please")
    # Resuming rebuilt the window from the stored messages.
    assert [m["content"] for m in model_server.chat_requests[-1].messages[1:]] == [
        "about ramen ラーメン",
        "Echo: about ramen ラーメン",
        "more please",
    ]
    assert len(data_store.load(ramen, LOCAL_OWNER).messages) == 4


def test_settings_are_restored_with_the_conversation(app, model_server, data_store):
    open_model_settings(app).run()
    app.selectbox(key="sidebar_model").set_value("scripted-large")
    app.slider(key="sidebar_temperature").set_value(0.9)
    send(app, "tuned")
    next(b for b in app.sidebar.button if b.key == "new_chat").click().run()
    next(b for b in app.sidebar.button if b.label == "Reset to defaults").click().run()
    assert app.selectbox(key="sidebar_model").value == "scripted-small"
    history_page(app)
    (summary,) = data_store.list(LOCAL_OWNER)
    open_from_history(app, summary.id)
    assert app.selectbox(key="sidebar_model").value == "scripted-large"
    assert app.slider(key="sidebar_temperature").value == 0.9
    send(app, "again")
    body = model_server.chat_requests[-1].body
    assert (body["model"], body["temperature"]) == ("scripted-large", 0.9)


def test_rename_and_delete_with_confirmation(app, model_server, data_store):
    app.run()
    send(app, "to be renamed")
    history_page(app)
    (summary,) = data_store.list(LOCAL_OWNER)
    actions_of(app, summary.id)
    app.text_input(key=f"title_{summary.id}").set_value("A better title")
    app.button(key=f"rename_{summary.id}").click().run()
    assert data_store.list(LOCAL_OWNER)[0].title == "A better title"
    assert row_titles(app) == ["A better title"]
    assert not [b for b in app.button if b.key == f"rename_{summary.id}"]  # the dialog closed

    actions_of(app, summary.id)
    app.button(key=f"delete_{summary.id}").click().run()
    assert "Delete this conversation for good?" in [m.value for m in app.markdown]
    assert [s.title for s in data_store.list(LOCAL_OWNER)] == ["A better title"]  # asked first
    app.button(key=f"delete_no_{summary.id}").click().run()
    assert [s.title for s in data_store.list(LOCAL_OWNER)] == ["A better title"]
    app.button(key=f"delete_{summary.id}").click().run()
    app.button(key=f"delete_yes_{summary.id}").click().run()
    assert data_store.list(LOCAL_OWNER) == []
    assert app.caption[0].value == "No conversations yet."
    app.switch_page("pages/chat.py").run()
    assert not app.chat_message  # the deleted conversation was this tab's: a new chat


def test_retry_and_edit_are_mirrored_in_the_store(app, model_server, data_store):
    app.run()
    send(app, "tow")
    app.button(key="edit_last").click().run()
    app.text_area(key="edit_box").set_value("two")
    next(b for b in app.button if b.label == "Send").click().run()
    (summary,) = data_store.list(LOCAL_OWNER)
    assert [m.content for m in data_store.load(summary.id, LOCAL_OWNER).messages] == [
        "two",
        "Echo: two",
    ]


def test_dates_follow_the_locale(app, model_server):
    app.context["locale"] = "ja-JP"
    app.context["timezone"] = "Asia/Tokyo"
    app.run()
    send(app, "日付")
    history_page(app)
    assert app.caption[0].value == "1 件中 1–1 件"
    assert "年" in app.caption[1].value and "件のメッセージ" in app.caption[1].value


def test_a_visitor_from_elsewhere_keeps_history_for_the_session_only(clean_env, model_server):
    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    clean_env.setenv("CHAT_LOCAL_OWNER", "false")  # as for a visitor who is not on loopback
    at = new_app().run()
    assert "this browser tab only" in at.sidebar.caption[0].value
    send(at, "not saved")
    history_page(at)
    assert "this browser tab only" in at.info[0].value


def test_an_unreachable_database_warns_and_the_chat_goes_on(clean_env, model_server):
    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    clean_env.setenv("CHAT_DATABASE_URL", "postgresql+psycopg://nobody:x@127.0.0.1:9/none")
    at = new_app().run()
    assert "cannot be saved" in at.warning[0].value
    send(at, "still works")
    assert bubbles(at)[-1] == ("assistant", "Echo: still works")
    assert "nobody:x" not in str(at.main)


def test_a_read_only_database_warns_and_keeps_the_session(clean_env, model_server, tmp_path):
    path = tmp_path / "ro" / "conversations.sqlite3"
    ConversationStore(sqlite_url(path.parent))  # created with its tables, then opened read-only
    clean_env.setenv("CHAT_DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    at = new_app().run()
    send(at, "read only")
    assert bubbles(at) == [("user", "read only"), ("assistant", "Echo: read only")]
    assert any("cannot be saved" in w.value for w in at.warning)


def test_a_title_is_shown_as_text_never_as_markdown(app, model_server, data_store):
    """A title like an image would make the browser fetch it when the list is drawn."""
    data_store.create(LOCAL_OWNER, title="![t](http://tracker.example/t.png) **x**", settings={})
    app.run()
    history_page(app)
    # a word joiner where an autolink would start: the address stays text
    assert row_titles(app) == ["!\\[t\\](http:\u2060//tracker.example/t.png) \\*\\*x\\*\\*"]


def test_a_conversation_whose_creation_failed_is_saved_whole_later(
    app, model_server, data_store, monkeypatch
):
    """The next turn creates it from the first message, not at position N."""
    from components import persistence

    real_start = persistence.OwnerHistory.start
    monkeypatch.setattr(persistence.OwnerHistory, "start", lambda *args: None)
    app.run()
    send(app, "first, while the store fails")
    monkeypatch.setattr(persistence.OwnerHistory, "start", real_start)
    send(app, "second")
    (summary,) = data_store.list(LOCAL_OWNER)
    stored = data_store.load(summary.id, LOCAL_OWNER)
    assert summary.title == "first, while the store fails"
    assert [m.content for m in stored.messages] == [
        "first, while the store fails",
        "Echo: first, while the store fails",
        "second",
        "Echo: second",
    ]


def test_a_database_file_deleted_while_the_app_runs_is_said_in_the_page(
    app, model_server, data_store, tmp_path
):
    """Writes into a deleted SQLite file would vanish silently; the page says so instead."""
    app.run()
    send(app, "saved")
    (tmp_path / "data" / "conversations.sqlite3").unlink()
    send(app, "after the file is gone")
    assert any("database file was removed" in w.value for w in app.warning)
    assert bubbles(app)[-1] == ("assistant", "Echo: after the file is gone")  # the chat goes on


def test_history_actions_say_when_the_database_fails_and_raise_nothing(
    app, model_server, data_store, monkeypatch
):
    """Rename and delete go through one guarded view of the store."""
    from sqlalchemy.exc import OperationalError

    app.run()
    send(app, "kept safe")
    (summary,) = data_store.list(LOCAL_OWNER)
    history_page(app)

    def broken(*args, **kwargs):
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    for method in ("load", "rename", "delete"):
        monkeypatch.setattr(ConversationStore, method, broken)
    for key in (f"rename_{summary.id}", f"delete_yes_{summary.id}"):
        actions_of(app, summary.id)
        app.text_input(key=f"title_{summary.id}").set_value("new title")
        if key.startswith("delete"):
            app.button(key=f"delete_{summary.id}").click().run()
        app.button(key=key).click().run()
        assert not app.exception, key
        assert [t.value for t in app.toast] == [
            "Conversations cannot be saved right now (the database cannot be reached or is "
            "read-only). This chat still works, for this tab only."
        ], key
    monkeypatch.undo()
    assert [s.title for s in data_store.list(LOCAL_OWNER)] == ["kept safe"]


def _elements(node) -> int:
    """How many elements a page drew (the leaves of AppTest's tree)."""
    children = getattr(node, "children", None)
    if not children:
        return 1
    return sum(_elements(child) for child in children.values())


def test_the_page_draws_the_same_whatever_the_number_of_conversations(app, data_store):
    """Drawing a widget per conversation made the page quadratic: 1,964 took 113 s."""
    add_conversations(data_store, LOCAL_OWNER, 55)
    app.run()
    history_page(app)
    drawn, first_rows = _elements(app._tree), row_titles(app)
    add_conversations(data_store, LOCAL_OWNER, 500)
    history_page(app)
    assert _elements(app._tree) == drawn
    assert len(first_rows) == len(row_titles(app)) == PAGE_SIZE
    assert first_rows[0] == "Conversation 54" and row_titles(app)[0] == "Conversation 499"
    assert app.caption[0].value == "1–50 of 555"
    assert len([b for b in app.button if b.key.startswith("actions_")]) == PAGE_SIZE
    assert len(app.text_input) == 1  # the search box: no widget per row but its one button


def test_pages_go_forward_and_back_and_a_search_starts_at_the_first(app, data_store):
    newest_first = add_conversations(data_store, LOCAL_OWNER, 120)
    app.run()
    history_page(app)
    assert app.button(key="history_previous").disabled
    app.button(key="history_next").click().run()
    assert app.caption[0].value == "51–100 of 120"
    assert row_titles(app)[0] == "Conversation 69"
    app.button(key="history_next").click().run()
    assert app.caption[0].value == "101–120 of 120"
    assert row_titles(app)[-1] == "Conversation 0"
    assert app.button(key="history_next").disabled
    assert any(b.key == f"actions_{newest_first[-1]}" for b in app.button)
    app.button(key="history_previous").click().run()
    assert app.caption[0].value == "51–100 of 120"

    app.text_input(key="history_search").set_value("Answer number 7").run()
    assert app.caption[0].value == "1–11 of 11"  # 7 and 70 to 79, from the first page
    assert row_titles(app)[-1] == "Conversation 7"
    assert not [b for b in app.button if b.key == "history_next"]


def test_a_search_finds_every_version_and_shows_the_words_in_context(app, data_store):
    cid = data_store.create(LOCAL_OWNER, title="Animals", settings={})
    data_store.put_message(cid, LOCAL_OWNER, 0, ChatMessage.user("Tell me about **zebras**"))
    long_answer = "Zebras live in Africa. " * 200 + "The okapi (オカピ) is [shy](http://x.example)."
    data_store.put_message(cid, LOCAL_OWNER, 1, ChatMessage.assistant(long_answer))
    data_store.put_message(cid, LOCAL_OWNER, 2, ChatMessage.assistant("Stripes."), parent=0)
    app.run()
    history_page(app)
    search = app.text_input(key="history_search")

    search.set_value("オカピ").run()
    (found,) = [c.value for c in app.caption if "オカピ" in c.value]
    assert found == (
        "…Zebras live in Africa. Zebras live in Africa. The okapi "
        "(:orange-background[オカピ]) is \\[shy\\](http:\u2060//x.example). · "
        "*in another version, not the one on screen*"
    )
    search.set_value("ZEBRA").run()  # on screen: the question, its Markdown shown as text
    assert "Tell me about \\*\\*:orange-background[zebra]s\\*\\*" in [c.value for c in app.caption]
    data_store.put_message(cid, LOCAL_OWNER, 3, ChatMessage.user("# Cats <b>too</b>"), parent=2)
    search.set_value("cats").run()  # not a heading, no HTML: the text as written
    assert r"\# :orange-background[Cats] \<b\>too\</b\>" in [c.value for c in app.caption]
    app.context["locale"] = "ja-JP"
    search.set_value("okapi").run()
    assert any(c.value.endswith("*画面に出ていない別のバージョン*") for c in app.caption)


def test_a_search_longer_than_the_box_allows_is_cut(app, data_store, monkeypatch):
    """A search's cost grows with its length: a value longer than the box allows, as a
    hand-made websocket message could send, is cut on the server (Streamlit's max_chars)."""
    searched = []
    real = ConversationStore.page

    def recording(self, owner, **options):
        searched.append(options["search"])
        return real(self, owner, **options)

    monkeypatch.setattr(ConversationStore, "page", recording)
    app.run()
    history_page(app)
    app.text_input(key="history_search").set_value("ラ" * 5000).run()
    assert not app.exception and len(searched[-1]) == 200
