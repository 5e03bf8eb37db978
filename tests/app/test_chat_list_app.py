"""The sidebar's chat list, the chat's title and the model's window on the page (AppTest)."""

from __future__ import annotations

from chat_core.identity import LOCAL_OWNER
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from tests.app.test_app import send
from tests.support.app_server import open_model_settings


def _store(tmp_path) -> ConversationStore:
    return ConversationStore(sqlite_url(tmp_path / "data"))


def _links(app) -> list[str]:
    return [element.proto.label for element in app.get("page_link") if element.proto.query_string]


def _open_menu(app, conversation_id: str) -> None:
    """Open a row's menu, as a click on its ··· does (the popover keeps its state)."""
    app.session_state[f"menu_{conversation_id}"] = True
    app.run()


def test_the_sidebar_lists_conversations_with_pin_rename_and_delete(app, tmp_path):
    app.run()
    send(app, "about ramen ラーメン")
    app.sidebar.button(key="new_chat").click().run()
    send(app, "about **trains**")
    store = _store(tmp_path)
    trains, ramen = (summary.id for summary in store.list(LOCAL_OWNER))
    assert _links(app) == ["about \\*\\*trains\\*\\*", "about ramen ラーメン"]
    assert any(c.value == "Today" for c in app.sidebar.caption)
    assert any(m.value == "#### about \\*\\*trains\\*\\*" for m in app.markdown)

    assert not [b for b in app.button if b.key == f"pin_{ramen}"]
    _open_menu(app, ramen)
    app.button(key=f"pin_{ramen}").click().run()
    assert [s.pinned for s in store.list(LOCAL_OWNER)] == [False, True]
    assert [c.value for c in app.sidebar.caption if c.value in ("Pinned", "Today")] == [
        "Pinned",
        "Today",
    ]

    _open_menu(app, ramen)
    app.button(key=f"rename_{ramen}").click().run()
    (title_box,) = [box for box in app.text_input if box.value == "about ramen ラーメン"]
    title_box.set_value("Ramen shops")  # typed in the dialog's form, then sent with Save
    next(b for b in app.button if b.label == "Save").click().run()
    assert {s.title for s in store.list(LOCAL_OWNER)} == {"Ramen shops", "about **trains**"}

    _open_menu(app, trains)
    app.button(key=f"delete_{trains}").click().run()
    app.button(key=f"delete_yes_{trains}").click().run()
    assert [s.title for s in store.list(LOCAL_OWNER)] == ["Ramen shops"]
    assert not app.chat_message  # the conversation on the page was the deleted one
    assert not app.exception


def test_the_page_shows_where_the_models_window_begins(app):
    open_model_settings(app).run()
    app.slider(key="sidebar_history_window").set_value(1).run()
    send(app, "first")
    assert not [c for c in app.caption if "not sent to the model" in c.value]
    send(app, "second")
    (divider,) = [c for c in app.caption if "not sent to the model" in c.value]
    assert divider.value == "Earlier messages are not sent to the model: window of 1 exchanges"
    app.slider(key="sidebar_history_window").set_value(3).run()
    assert not [c for c in app.caption if "not sent to the model" in c.value]
