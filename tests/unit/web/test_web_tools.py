"""The built-in web tools in an answer: the scripted model searches, reads a page and
cites what it found; the sources are numbered once across the answer and kept with its
steps."""

from __future__ import annotations

import ipaddress
import json

import pytest

from chat_core.answers.jobs import JobRegistry
from chat_core.answers.run import AnswerRequest, write_answer
from chat_core.answers.tool_run import ToolPlan
from chat_core.conversation.messages import ChatMessage, Status
from chat_core.conversation.tool_steps import Source, StepStatus, answer_sources
from chat_core.settings.settings import Settings
from chat_core.tools.choice import BUILT_IN, ToolSwitches
from chat_core.tools.loop import ToolLimits
from chat_core.web.web_tools import WebPlan, web_plan
from tests.support.scripted_server import Reply, ScriptedCall
from tests.support.turns import plan
from tests.support.web_pages import scripted_web

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)


@pytest.fixture
def web():
    with scripted_web() as web:
        yield web


def web_request(model_server, web, *, switches=None, **settings) -> AnswerRequest:
    chosen = Settings(api_key="test-key", base_url=model_server.base_url, model="scripted-small",
                      web_search="searxng", web_search_url=web.url, web_fetch=True,
                      allowed_networks=LOOPBACK, **settings)  # fmt: skip
    limits = ToolLimits(4, 20.0, 2_000)
    tools = ToolPlan((), switches or ToolSwitches(), limits, 5.0, web_plan(chosen))
    message = ChatMessage.user("Where can I eat ramen near Tokyo Station?")
    return AnswerRequest(plan([], message, chosen, "ja"), message, chosen, "ja", tools=tools)


def answer(model_server, request):
    job = JobRegistry().start("c1", "alice", lambda job: write_answer(job, request))
    return job.wait_ended(60).answer


def test_a_search_then_a_page_then_an_answer_that_cites_them(model_server, web):
    search = ScriptedCall("web_search", '{"query": "ramen Tokyo Station"}', "call_s")
    fetch = ScriptedCall("fetch_page", json.dumps({"url": web.page("ramen.html")}), "call_f")
    model_server.queue(Reply.calls(search), Reply.calls(fetch),
                       Reply.text("Rokurinsha opens at 7:30 [1]."))  # fmt: skip
    ended = answer(model_server, web_request(model_server, web))
    assert (ended.status, ended.content) == (Status.COMPLETE, "Rokurinsha opens at 7:30 [1].")
    searched, read = ended.steps
    assert (searched.name, searched.server, searched.status) == ("web_search", None,
                                                                 StepStatus.DONE)  # fmt: skip
    ramen = Source(1, "Ramen near Tokyo Station", web.page("ramen.html"))
    tsukemen = Source(2, "Tsukemen guide", "https://example.org/tsukemen")
    assert searched.sources == (ramen, tsukemen)  # the javascript: link is left out
    assert read.sources == (ramen,)  # the page the search found keeps its number
    assert answer_sources(ended.steps) == [ramen, tsukemen]
    sent = [m.messages[-1] for m in model_server.chat_requests[1:]]
    assert sent[0]["role"] == "tool" and "[1] Ramen near Tokyo Station" in sent[0]["content"]
    assert "[2] Tsukemen guide" in sent[0]["content"]
    page = sent[1]["content"]
    assert "東京駅のラーメンストリート" in page and "never read" not in page


def test_the_tools_are_offered_with_the_question(model_server, web):
    model_server.queue(Reply.text("No need to look."))
    answer(model_server, web_request(model_server, web))
    offered = [tool["function"]["name"] for tool in model_server.chat_requests[0].body["tools"]]
    assert offered == ["web_search", "fetch_page"]


def test_a_page_on_a_private_address_is_refused_to_the_model(model_server, web):
    fetch = ScriptedCall("fetch_page", '{"url": "http://192.168.1.1/"}', "call_f")
    model_server.queue(Reply.calls(fetch), Reply.text("I could not read it."))
    ended = answer(model_server, web_request(model_server, web))
    (step,) = ended.steps
    assert step.status is StepStatus.FAILED and "private or local" in step.result
    assert "private or local" in model_server.chat_requests[-1].messages[-1]["content"]
    assert ended.content == "I could not read it."


def test_a_search_that_fails_is_handed_back_and_the_answer_goes_on(model_server, web):
    web.status = 503
    model_server.queue(Reply.calls(ScriptedCall("web_search", '{"query": "x"}', "c")),
                       Reply.text("Search is down."))  # fmt: skip
    ended = answer(model_server, web_request(model_server, web))
    assert ended.steps[0].status is StepStatus.FAILED and "HTTP 503" in ended.steps[0].result
    assert ended.content == "Search is down."


def test_switched_off_the_built_in_tools_are_not_offered(model_server, web):
    request = web_request(model_server, web, switches=ToolSwitches({BUILT_IN}))
    assert request.tools is not None and not request.tools.any_on


def test_web_plan_follows_the_settings():
    assert WebPlan().names == ()
    assert web_plan(Settings(web_fetch=True)).names == ("fetch_page",)
    searx = Settings(web_search="searxng", web_search_url="http://127.0.0.1:8888")
    assert web_plan(searx).names == ("web_search",)


def test_the_markdown_export_lists_the_sources_under_the_answer():
    from dataclasses import replace
    from datetime import UTC, datetime

    from chat_core.conversation.tool_steps import ToolStep
    from chat_core.storage.store import StoredConversation
    from chat_core.transfer.exports import export_markdown

    found = ToolStep("c1", "web_search", status=StepStatus.DONE,
                     sources=(Source(1, "Ramen", "https://example.org/ramen"),))  # fmt: skip
    answered = replace(ChatMessage.assistant("Open at 7:30 [1]."), steps=(found,))
    moment = datetime(2026, 12, 4, tzinfo=UTC)
    conversation = StoredConversation("id", "Ramen", {}, [ChatMessage.user("q"), answered],
                                      moment, moment)  # fmt: skip
    labels = {"user": "You", "assistant": "Assistant", "sources": "出典"}
    markdown = export_markdown(conversation, labels=labels)
    listed = "出典:\n\n\\[1\\] [Ramen](https://example.org/ramen) · example.org"
    assert f"Open at 7:30 [1].\n\n{listed}" in markdown
