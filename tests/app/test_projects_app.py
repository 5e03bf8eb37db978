"""Projects through the app (AppTest, the local owner): made from the sidebar, their page
with instructions that reach the model's system prompt, a new chat in one, a chat moved
in and out, and deleting one moving its chats out."""

from __future__ import annotations

from chat_core.identity import LOCAL_OWNER
from chat_core.storage.engine import sqlite_url
from chat_core.storage.project_rows import list_projects
from chat_core.storage.store import ConversationStore
from tests.app.test_app import send
from tests.support.scripted_server import Reply

PROJECT_PAGE = "pages/project.py"
CHAT_PAGE = "pages/chat.py"


def stored(tmp_path) -> ConversationStore:
    return ConversationStore(sqlite_url(tmp_path / "data"))


def make_project(app, name: str = "My thesis"):
    app.run()
    next(f for f in app.text_input if f.label == "Project name").input(name)
    next(b for b in app.button if b.label == "Create").click().run()
    assert not app.exception


def test_a_project_is_made_and_its_instructions_reach_the_model(app, model_server, tmp_path):
    make_project(app)
    (project,) = list_projects(stored(tmp_path).engine, LOCAL_OWNER)
    assert project.name == "My thesis"
    app.switch_page(PROJECT_PAGE)
    app.query_params["p"] = project.id
    app.run()
    assert not app.exception and app.title[0].value == "My thesis"
    app.text_area[0].input("Answer as my thesis advisor, in two sentences.")
    next(b for b in app.button if b.label == "Save").click().run()
    assert list_projects(stored(tmp_path).engine, LOCAL_OWNER)[0].instructions.startswith("Answer")

    next(b for b in app.button if b.label == "New chat in this project").click().run()
    assert not app.exception
    app.switch_page(CHAT_PAGE)  # where st.switch_page took the browser (AppTest keeps its own)
    model_server.queue(Reply.text("Start with the question."))
    send(app, "How do I begin chapter one?")
    system = model_server.chat_requests[-1].messages[0]
    assert system["role"] == "system"
    assert system["content"].endswith("Answer as my thesis advisor, in two sentences.")
    (chat,) = stored(tmp_path).list(LOCAL_OWNER, project=project.id)
    assert stored(tmp_path).load(chat.id, LOCAL_OWNER).project_id == project.id
    assert any("In the project My thesis" in link.label for link in app.get("page_link"))


def test_deleting_a_project_asks_first_and_its_chats_move_out(app, model_server, tmp_path):
    model_server.queue(Reply.text("Hi."))
    app.run()
    send(app, "hello")
    store = stored(tmp_path)
    (chat,) = store.list(LOCAL_OWNER)
    make_project(app, "Handbook")
    (project,) = list_projects(store.engine, LOCAL_OWNER)
    from chat_core.storage.project_rows import move_conversation

    assert move_conversation(store.engine, LOCAL_OWNER, chat.id, project.id)
    app.switch_page(PROJECT_PAGE)
    app.query_params["p"] = project.id
    app.run()
    assert any(link.label == "hello" for link in app.get("page_link"))
    assert not any(b.label == "Yes, delete the project" for b in app.button)
    next(t for t in app.toggle if t.label == "Delete this project…").set_value(True).run()
    next(b for b in app.button if b.label == "Yes, delete the project").click().run()
    assert not app.exception
    assert list_projects(store.engine, LOCAL_OWNER) == []
    assert [c.id for c in store.list(LOCAL_OWNER, project=None)] == [chat.id]


def test_another_owners_project_is_not_found(app, tmp_path):
    app.switch_page(PROJECT_PAGE)
    app.query_params["p"] = "00000000-0000-0000-0000-000000000000"
    app.run()
    assert not app.exception
    assert any("does not exist" in w.value for w in app.warning)


def test_a_chat_is_moved_into_a_project_from_its_menu(app, model_server, tmp_path):
    make_project(app, "Handbook")
    app.switch_page(CHAT_PAGE)
    model_server.queue(Reply.text("Hi."))
    app.run()
    send(app, "hello")
    store = stored(tmp_path)
    (chat,) = store.list(LOCAL_OWNER)
    (project,) = list_projects(store.engine, LOCAL_OWNER)
    app.session_state[f"menu_{chat.id}"] = True  # the row's menu, opened
    app.run()
    app.button(key=f"move_{chat.id}").click().run()
    chooser = next(s for s in app.selectbox if s.label == "Project")
    chooser.set_value(project.id)  # sent with the form's button, as a browser does
    next(b for b in app.button if b.label == "Move").click().run()
    assert not app.exception
    assert store.load(chat.id, LOCAL_OWNER).project_id == project.id
    assert any("In the project Handbook" in link.label for link in app.get("page_link"))


def test_a_projects_model_is_where_its_new_chats_start(app, model_server, tmp_path):
    make_project(app, "Big model work")
    (project,) = list_projects(stored(tmp_path).engine, LOCAL_OWNER)
    app.switch_page(PROJECT_PAGE)
    app.query_params["p"] = project.id
    app.run()
    chooser = next(s for s in app.selectbox if s.label == "Model for new chats in this project")
    chooser.set_value("scripted-large")
    next(b for b in app.button if b.label == "Save").click().run()
    assert list_projects(stored(tmp_path).engine, LOCAL_OWNER)[0].settings == {
        "model": "scripted-large"}  # fmt: skip
    next(b for b in app.button if b.label == "New chat in this project").click().run()
    app.switch_page(CHAT_PAGE)
    model_server.queue(Reply.text("Big answer."))
    send(app, "hello")
    assert model_server.chat_requests[-1].body["model"] == "scripted-large"
