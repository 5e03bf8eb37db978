"""Import on the History page (AppTest): the app's own export comes back the same, a
ChatGPT export keeps its versions, nothing is imported twice, bad files are refused."""

from __future__ import annotations

import json

import pytest

from chat_core.identity import LOCAL_OWNER
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from chat_core.transfer.exports import export_json
from tests.app.test_app import send
from tests.app.test_history_page import history_page, open_from_history
from tests.support.app_server import open_model_settings
from tests.support.scripted_server import Reply
from tests.unit.transfer.test_imports import chatgpt_export


@pytest.fixture
def data_store(clean_env, tmp_path) -> ConversationStore:
    return ConversationStore(sqlite_url(tmp_path / "data"))


def _upload(app, name: str, data: bytes) -> list[str]:
    app.file_uploader(key="import_file").set_value((name, data, "application/json")).run()
    assert not app.exception, app.exception
    return [e.value for e in (*app.success, *app.info, *app.warning, *app.error)]


def _fields(messages) -> list[tuple]:
    return [(m.role, m.content, m.status, m.usage, m.feedback) for m in messages]


def test_an_export_imported_gives_the_same_conversation_once(app, model_server, data_store):
    app.run()
    send(app, "Remember ラーメン")
    model_server.queue(Reply.text("another take"))
    app.button(key="retry_last").click().run()
    (summary,) = data_store.list(LOCAL_OWNER)
    original = data_store.load(summary.id, LOCAL_OWNER)
    exported = export_json(original).encode()

    history_page(app)
    said = _upload(app, "export.json", exported)
    assert said == ["Imported 1 conversations."]
    imported_id = next(s.id for s in data_store.list(LOCAL_OWNER) if s.id != summary.id)
    imported = data_store.load(imported_id, LOCAL_OWNER)
    assert imported.title == original.title
    assert _fields(imported.messages) == _fields(original.messages)  # the branch exported
    assert f"c={imported_id}" in [link.proto.query_string for link in app.get("page_link")]

    said = _upload(app, "export again.json", exported)
    assert said == ["1 were here already and were not imported again."]
    assert len(data_store.list(LOCAL_OWNER)) == 2


def test_a_chatgpt_export_keeps_its_versions(app, data_store):
    app.run()
    history_page(app)
    payload = json.dumps(chatgpt_export()).encode()
    said = _upload(app, "conversations.json", payload)
    assert said and said[0].startswith("Imported 2 conversations")
    stored = [data_store.load(s.id, LOCAL_OWNER) for s in data_store.list(LOCAL_OWNER)]
    with_versions = [c for c in stored if len(c.tree) > len(c.messages)]
    assert with_versions, "the edited question and the regenerated answer are kept"
    branch = with_versions[0]
    assert [m.role.value for m in branch.messages] == ["user", "assistant"] * (
        len(branch.messages) // 2
    )
    _open_in_chat(app, branch.id)
    shown = " ".join(m.value for m in app.markdown)
    assert "ramen.jpg" in shown and "menu.pdf" in shown  # named, each with why it is not here
    assert "the file itself is not in an export" in shown


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"\x89PNG not json", "This is not a JSON file that can be read."),
        (b'{"hello": "world"}', "This JSON file is neither an export of this app"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused_clearly(app, data_store, data, said):
    app.run()
    history_page(app)
    shown = _upload(app, "file.json", data)
    assert len(shown) == 1 and shown[0].startswith(said)
    assert data_store.list(LOCAL_OWNER) == []


def test_conversations_the_database_did_not_take_are_named(app, data_store, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from chat_core.storage import store as store_module

    stored_as_usual = store_module.store_import

    def busy_for_some(engine, owner, imported):
        if imported.title.startswith("busy"):  # stayed locked through every try
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return stored_as_usual(engine, owner, imported)

    monkeypatch.setattr(store_module, "store_import", busy_for_some)
    titles = ["kept", "busy *one*", *(f"busy {n}" for n in range(6))]
    export = [{"title": t, "messages": [{"role": "user", "content": t}]} for t in titles]
    app.run()
    history_page(app)
    said = _upload(app, "export.json", json.dumps(export).encode())
    assert said == [
        "Imported 1 conversations.",
        "7 could not be stored (the database was busy or cannot be reached): “busy \\*one\\*”, "
        "“busy 0”, “busy 1”, “busy 2”, “busy 3” and 2 more. Import the same file again later "
        "to add them; those already stored are not added twice.",
    ]
    monkeypatch.setattr(store_module, "store_import", stored_as_usual)
    said = _upload(app, "export again.json", json.dumps(export).encode())
    assert said == ["Imported 7 conversations.", "1 were here already and were not imported again."]


def test_each_uploader_takes_a_little_over_its_limit_and_the_server_the_largest(app):
    import tomllib

    from chat_core.files.attachments import MB, SIZE_LIMITS, UPLOAD_LIMIT_MB
    from chat_core.transfer.import_files import IMPORT_LIMIT_BYTES, IMPORT_UPLOAD_MB
    from tests.support.app_server import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == max(IMPORT_UPLOAD_MB, UPLOAD_LIMIT_MB)
    assert IMPORT_LIMIT_BYTES < IMPORT_UPLOAD_MB * MB
    assert max(SIZE_LIMITS.values()) < UPLOAD_LIMIT_MB * MB
    app.run()
    assert app.chat_input[0].proto.max_upload_size_mb == UPLOAD_LIMIT_MB
    history_page(app)
    assert app.file_uploader(key="import_file").proto.max_upload_size_mb == IMPORT_UPLOAD_MB


OUT_OF_RANGE = {"temperature": 5, "history_window": 51, "max_tokens": 0}


def _open_in_chat(app, conversation_id: str) -> None:
    open_from_history(app, conversation_id)


def _sidebar(app) -> tuple:
    return (
        app.slider(key="sidebar_temperature").value,
        app.slider(key="sidebar_history_window").value,
        app.number_input(key="sidebar_max_tokens").value,
    )


def test_settings_out_of_range_are_brought_inside_with_a_warning(app, data_store):
    export = {"title": "hot", "messages": [{"role": "user", "content": "q"}]}
    open_model_settings(app).run()
    history_page(app)
    said = _upload(app, "export.json", json.dumps(export | {"settings": OUT_OF_RANGE}).encode())
    assert said == [
        "Imported 1 conversations.",
        "1 had settings outside what this app allows (a temperature above 2, say): each such "
        "setting was brought to its nearest limit.",
    ]
    (summary,) = data_store.list(LOCAL_OWNER)
    _open_in_chat(app, summary.id)
    assert _sidebar(app) == (2.0, 50, 1)


def test_a_stored_row_with_settings_out_of_range_still_opens(app, data_store):
    bad = OUT_OF_RANGE | {"history_fit": "yes", "model": None}
    conversation_id = data_store.create(LOCAL_OWNER, title="old row", settings=bad)
    open_model_settings(app).run()
    history_page(app)
    _open_in_chat(app, conversation_id)
    assert _sidebar(app) == (2.0, 50, 1)
