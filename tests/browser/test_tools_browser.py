"""Tools as a visitor sees them in Chromium, in English and Japanese: a step live in the
bubble and folded when done, Run and Skip clicked, Stop during a tool call, a refresh
while a step runs, and an answer's sources. The app runs under ``streamlit run`` with
MCP's reference "everything" server (npm) over Streamable HTTP and the built-in web
tools over the scripted web on loopback."""

from __future__ import annotations

import json

import pytest

from tests.support.app_server import StreamlitProcess, settings_env
from tests.support.browser import ChatPage
from tests.support.mcp_servers import everything_server
from tests.support.scripted_server import Reply, ScriptedCall
from tests.support.web_pages import scripted_web

pytestmark = pytest.mark.browser

LONG = "trigger-long-running-operation"  # readOnlyHint: runs without asking
TOGGLE = "toggle-simulated-logging"  # readOnlyHint: false: asks first
STOP = ".st-key-stop_answer button"
LABELS = {
    "en-US": {
        "run": "Run",
        "skip": "Skip",
        "running": "Running",
        "wants": "wants to run",
        "skipped": "was skipped",
        "stopped": "Stopped. The answer above is incomplete.",
        "sources": "Sources",
        "seconds": " s",
    },
    "ja-JP": {
        "run": "実行",
        "skip": "スキップ",
        "running": "を実行中",
        "wants": "の実行を求めています",
        "skipped": "はスキップされました",
        "stopped": "停止しました。上の回答は途中までです。",
        "sources": "出典",
        "seconds": " 秒",
    },
}


@pytest.fixture(scope="module")
def web():
    with scripted_web() as web:
        yield web


@pytest.fixture(scope="module")
def tools_server(_model_server, web, tmp_path_factory):
    with everything_server() as url:
        config = tmp_path_factory.mktemp("mcp") / "mcp.json"
        config.write_text(json.dumps({"mcpServers": {"everything": {"url": url}}}))
        env = settings_env(
            OPENAI_BASE_URL=_model_server.base_url,
            OPENAI_API_KEY="test-key",
            CHAT_MODEL="scripted-small",
            CHAT_ANSWERS_PER_USER="16",
            CHAT_MCP_CONFIG=str(config),
            CHAT_TOOL_TIMEOUT="60",
            CHAT_WEB_SEARCH="searxng",
            CHAT_WEB_SEARCH_URL=web.url,
            CHAT_WEB_FETCH="true",
            CHAT_ALLOWED_NETWORKS="127.0.0.1/32",
        )
        process = StreamlitProcess(env).wait_ready()
        yield process
        process.stop()


@pytest.fixture
def open_tools_chat(browser, tools_server, model_server):
    contexts = []

    def open_(locale: str) -> ChatPage:
        context = browser.new_context(locale=locale, viewport={"width": 1100, "height": 900})
        contexts.append(context)
        return ChatPage(context.new_page()).open(tools_server.url)

    yield open_
    for context in contexts:
        context.close()


def long_call(seconds: int) -> ScriptedCall:
    return ScriptedCall(LONG, json.dumps({"duration": seconds, "steps": seconds}), "call_long")


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_a_step_runs_live_then_folds_and_the_text_goes_on_after_it(
    open_tools_chat, model_server, artifacts, locale
):
    words = LABELS[locale]
    model_server.queue(Reply.calls(long_call(4), tokens=["Starting it."]),
                       Reply.text("It finished after four seconds."))  # fmt: skip
    chat = open_tools_chat(locale)
    chat.send("run the long operation")
    live = chat.page.locator('[data-testid="stExpander"]', has_text=words["running"])
    live.first.wait_for(timeout=30_000)
    assert "duration: 4" in live.first.inner_text()
    # A step still running keeps its spinner (leaving a status's `with` would tick it).
    assert live.first.locator('[data-testid="stExpanderIconSpinner"]').count() == 1
    chat.page.screenshot(path=artifacts / f"tool-step-live-{locale}.png", full_page=True)
    answer = chat.wait_for_answer("It finished after four seconds.", count=2, timeout=60)
    assert answer.startswith("Starting it.")
    done = chat.page.locator('[data-testid="stExpander"]', has_text=LONG).first
    assert words["running"] not in done.inner_text() and words["seconds"] in done.inner_text()
    assert done.locator('[data-testid="stExpanderIconCheck"]').count() == 1
    chat.page.screenshot(path=artifacts / f"tool-step-done-{locale}.png", full_page=True)


@pytest.mark.parametrize(("locale", "run"), [("en-US", True), ("ja-JP", False)])
def test_run_or_skip_is_clicked_in_the_bubble(open_tools_chat, model_server, artifacts, locale,
                                              run):  # fmt: skip
    words = LABELS[locale]
    toggle = ScriptedCall(TOGGLE, "{}", "call_toggle")
    model_server.queue(Reply.calls(toggle), Reply.text("All done here."))
    chat = open_tools_chat(locale)
    chat.send("switch logging on")
    button = chat.page.get_by_role("button", name=words["run" if run else "skip"], exact=True)
    button.wait_for(timeout=30_000)
    assert words["wants"] in chat.bubbles()[1]
    chat.page.screenshot(path=artifacts / f"tool-asks-first-{locale}.png", full_page=True)
    button.click()
    chat.wait_for_answer("All done here.", count=2, timeout=60)
    returned = model_server.chat_requests[-1].messages[-1]
    if run:
        assert returned["role"] == "tool" and "logging" in returned["content"].lower()
    else:
        assert returned["content"] == "Error: skipped by the visitor."
        assert words["skipped"] in chat.bubbles()[1]


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_stop_during_a_tool_call_keeps_the_text_and_marks_the_step(
    open_tools_chat, model_server, artifacts, locale
):
    words = LABELS[locale]
    model_server.queue(Reply.calls(long_call(20), tokens=["Let me wait."]),
                       Reply.text("never sent"))  # fmt: skip
    chat = open_tools_chat(locale)
    chat.send("wait twenty seconds")
    chat.page.locator('[data-testid="stExpander"]', has_text=words["running"]).first.wait_for(
        timeout=30_000
    )
    chat.page.locator(STOP).click()
    chat.page.get_by_text(words["stopped"]).wait_for(timeout=20_000)
    bubble = chat.bubbles()[1]
    assert "Let me wait." in bubble and words["skipped"] in bubble
    assert len(model_server.chat_requests) == 1  # the result never went back to the model
    chat.page.screenshot(path=artifacts / f"tool-stopped-{locale}.png", full_page=True)


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_a_refresh_while_a_step_runs_shows_it_and_the_answer_ends(
    open_tools_chat, model_server, locale
):
    words = LABELS[locale]
    model_server.queue(Reply.calls(long_call(5), tokens=["Working on it."]),
                       Reply.text("Finished after the refresh."))  # fmt: skip
    chat = open_tools_chat(locale)
    chat.send("long one")
    chat.page.wait_for_url("**c=*", timeout=15_000)
    chat.page.locator('[data-testid="stExpander"]', has_text=words["running"]).first.wait_for(
        timeout=30_000
    )
    chat.page.reload()
    chat.page.locator('[data-testid="stExpander"]', has_text=LONG).first.wait_for(timeout=30_000)
    answer = chat.wait_for_answer("Finished after the refresh.", count=2, timeout=60)
    assert answer.startswith("Working on it.")
    assert len(model_server.chat_requests) == 2  # the job went on; nothing was asked twice


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_an_answer_that_searched_lists_its_sources_as_links(
    open_tools_chat, model_server, web, artifacts, locale
):
    search = ScriptedCall("web_search", '{"query": "ramen Tokyo Station"}', "call_s")
    model_server.queue(Reply.calls(search), Reply.text("Rokurinsha opens at 7:30 [1]."))
    chat = open_tools_chat(locale)
    chat.send("ramen?")
    chat.wait_for_answer("Rokurinsha opens at 7:30 [1].", count=2, timeout=60)
    link = chat.page.get_by_role("link", name="Ramen near Tokyo Station")
    link.wait_for(timeout=10_000)
    assert link.get_attribute("href") == web.page("ramen.html")
    assert LABELS[locale]["sources"] in chat.bubbles()[1]
    assert not [r for r in web.requests if r.path == "/pages/ramen.html"]  # never fetched
    chat.page.screenshot(path=artifacts / f"tool-sources-{locale}.png", full_page=True)
