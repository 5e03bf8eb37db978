"""A user's own MCP server through the app (AppTest, the local owner): added in the
Tools control, kept (its header sealed), its tools listed and offered, refused on a
private address unless the deployer allows it, removed."""

from __future__ import annotations

import pytest

from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from components.tools import TOOLS_OPEN
from tests.app.test_app import send
from tests.support.app_server import new_app
from tests.support.mcp_servers import everything_server
from tests.support.scripted_server import Reply

TOKEN = "Bearer test-token-not-real"


@pytest.fixture(scope="module")
def everything():
    with everything_server() as url:
        yield url


@pytest.fixture
def own_servers_env(clean_env, model_server):
    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    clean_env.setenv("OPENAI_API_KEY", "test-key")
    clean_env.setenv("CHAT_MODEL", "scripted-small")
    clean_env.setenv("CHAT_MCP_USER_SERVERS", "true")
    return clean_env


def add_server(app, url: str, name: str = "mine") -> None:
    app.session_state[TOOLS_OPEN] = True
    app.run()
    fields = {f.label: f for f in app.text_input}
    fields["Name"].input(name)
    fields["Address (Streamable HTTP, or SSE ending in /sse)"].input(url)
    fields["Header name (optional)"].input("Authorization")
    fields["Header value"].input(TOKEN)
    next(b for b in app.button if b.label == "Add").click().run()


def test_a_server_on_loopback_is_refused_unless_the_deployer_allows_it(own_servers_env,
                                                                       everything):  # fmt: skip
    app = new_app()
    add_server(app, everything)
    assert not app.exception
    errors = [e.value for e in app.error]
    assert any("private network" in e for e in errors), errors
    assert not any(t.key == "tools_server_mine" for t in app.toggle)


def test_an_own_server_is_added_listed_offered_and_removed(own_servers_env, model_server,
                                                          everything, tmp_path):  # fmt: skip
    own_servers_env.setenv("CHAT_ALLOWED_NETWORKS", "127.0.0.1/32")
    app = new_app()
    add_server(app, everything)
    assert not app.exception and not app.error
    keys = {t.key for t in app.toggle}
    assert {"tools_server_mine", "tools_tool_mine_echo"} <= keys
    assert TOKEN not in str([c.value for c in app.caption]) + str([m.value for m in app.markdown])

    model_server.queue(Reply.text("I have tools."))
    send(app, "hi")
    offered = {tool["function"]["name"] for tool in model_server.chat_requests[-1].body["tools"]}
    assert "echo" in offered

    stored = ConversationStore(sqlite_url(tmp_path / "data"))
    with stored.engine.connect() as connection:
        sealed = connection.exec_driver_sql("SELECT header_secret FROM user_mcp_servers").all()
    assert len(sealed) == 1 and "test-token" not in sealed[0][0]

    app.session_state[TOOLS_OPEN] = True
    app.run()
    next(b for b in app.button if b.label == "Remove").click().run()
    assert not any(t.key == "tools_server_mine" for t in app.toggle)
    model_server.queue(Reply.text("No tools now."))
    send(app, "again")
    assert "tools" not in model_server.chat_requests[-1].body


def test_without_the_setting_there_is_no_form(clean_env, model_server):
    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    clean_env.setenv("OPENAI_API_KEY", "test-key")
    app = new_app()
    app.session_state[TOOLS_OPEN] = True
    app.run()
    assert not app.exception
    assert not any(f.label == "Header value" for f in app.text_input)
    assert not any(t.key == "tools_all" for t in app.toggle)  # no Tools control at all


def test_one_owners_catalog_is_never_anothers():
    """The catalog of a user's servers is cached under the owner and their servers' ids:
    a second owner, with servers of their own or none, never gets the first one's."""
    from chat_core.web.user_servers import UserServer, as_mcp_server
    from components.tools import _own_catalog

    down = as_mcp_server(UserServer("private-one", "http://127.0.0.1:9/mcp"), ())
    first = _own_catalog("alice|s1", (down,))
    assert [server.name for server in first] == ["private-one"]
    assert _own_catalog("bob", ()) == ()
