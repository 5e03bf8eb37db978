"""The built-in web tools through the app (AppTest): the deployer switches on search
(the scripted SearXNG-shaped provider on loopback) and page reading; the Tools control
lists them; an answer that searched lists its sources under it as links, and keeps
them when the conversation is opened again."""

from __future__ import annotations

import json

import pytest

from chat_core.identity import LOCAL_OWNER
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from components.tools import TOOLS_OPEN
from tests.app.test_app import send
from tests.support.app_server import new_app
from tests.support.scripted_server import Reply, ScriptedCall
from tests.support.web_pages import scripted_web


@pytest.fixture
def web():
    with scripted_web() as web:
        yield web


@pytest.fixture
def web_app(clean_env, model_server, web):
    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    clean_env.setenv("OPENAI_API_KEY", "test-key")
    clean_env.setenv("CHAT_MODEL", "scripted-small")
    clean_env.setenv("CHAT_WEB_SEARCH", "searxng")
    clean_env.setenv("CHAT_WEB_SEARCH_URL", web.url)
    clean_env.setenv("CHAT_WEB_FETCH", "true")
    clean_env.setenv("CHAT_ALLOWED_NETWORKS", "127.0.0.1/32")
    return new_app()


def test_an_answer_that_searched_lists_its_sources_as_links(web_app, model_server, web, tmp_path):
    search = ScriptedCall("web_search", '{"query": "ramen Tokyo Station"}', "call_s")
    fetch = ScriptedCall("fetch_page", json.dumps({"url": web.page("ramen.html")}), "call_f")
    model_server.queue(Reply.calls(search), Reply.calls(fetch),
                       Reply.text("Rokurinsha opens at 7:30 [1]."))  # fmt: skip
    web_app.run()
    send(web_app, "Ramen near Tokyo Station?")
    assert not web_app.exception
    bubble = web_app.chat_message[-1]
    assert [s.label.split(" · ")[0] for s in bubble.status] == ["web\\_search", "fetch\\_page"]
    (sources,) = [c.value for c in bubble.caption if c.value.startswith("**Sources**")]
    assert f"\\[1\\] [Ramen near Tokyo Station]({web.page('ramen.html')}) · 127.0.0.1" in sources
    assert "\\[2\\] [Tsukemen guide](https://example.org/tsukemen) · example.org" in sources
    assert "javascript" not in sources

    stored = ConversationStore(sqlite_url(tmp_path / "data"))
    (summary,) = stored.list(LOCAL_OWNER)
    kept = stored.load(summary.id, LOCAL_OWNER).messages[-1]
    assert [s.number for s in kept.steps[0].sources] == [1, 2]

    web_app.run()  # drawn again from what is kept
    again = [c.value for c in web_app.chat_message[-1].caption if "Sources" in c.value]
    assert again == [sources]


def test_the_tools_control_lists_the_built_in_tools_and_switches_them(web_app, model_server):
    web_app.session_state[TOOLS_OPEN] = True
    web_app.run()
    assert not web_app.exception
    keys = [t.key for t in web_app.toggle if t.key.startswith("tools_")]
    assert keys == ["tools_all", "tools_server_web", "tools_tool_web_web_search",
                    "tools_tool_web_fetch_page"]  # fmt: skip
    next(t for t in web_app.toggle if t.key == "tools_tool_web_fetch_page").set_value(False).run()
    model_server.queue(Reply.text("Fine."))
    send(web_app, "hi")
    offered = [tool["function"]["name"] for tool in model_server.chat_requests[-1].body["tools"]]
    assert offered == ["web_search"]
    next(t for t in web_app.toggle if t.key == "tools_server_web").set_value(False).run()
    model_server.queue(Reply.text("Plain."))
    send(web_app, "again")
    assert "tools" not in model_server.chat_requests[-1].body
