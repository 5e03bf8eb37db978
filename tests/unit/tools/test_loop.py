"""The loop of tool calls through the real openai client and LangChain, against the scripted
server's tool-call streams (arguments in pieces, calls at once, Ollama's whole calls,
unknown tools, bad JSON), with plain LangChain tools."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool

from chat_core.conversation.tool_steps import StepStatus
from chat_core.provider.chat_model import make_chat_model
from chat_core.settings.settings import Settings
from chat_core.tools.loop import (
    OfferedTool,
    ToolLimits,
    answer_with_tools,
    run_sync_tool,
)
from tests.support.scripted_server import Reply, ScriptedCall


class Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


@tool
def get_current_time(timezone: str) -> str:
    """The current time in an IANA time zone."""
    return f"It is 09:00 in {timezone}."


@tool
def long_page(url: str) -> str:
    """A very long page."""
    return "word " * 5_000


@tool
def slow(seconds: float) -> str:
    """Sleeps."""
    time.sleep(seconds)
    return "woke"


@tool
def broken(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"disk on fire: {reason}")


TIME = OfferedTool(get_current_time, server="time")


@pytest.fixture
def model(model_server):
    settings = Settings(api_key="test-key", base_url=model_server.base_url, model="scripted-small")
    return make_chat_model(settings)


DEFAULT_LIMITS = ToolLimits()


def ask(model, offered, *, limits=DEFAULT_LIMITS, approve=lambda step: True, check=lambda: None):
    steps, tokens = [], Tokens()
    reply = answer_with_tools(
        model,
        [HumanMessage("What time is it in Tokyo?")],
        offered,
        handler=tokens,
        limits=limits,
        run=run_sync_tool,
        on_step=steps.append,
        approve=approve,
        check=check,
    )
    return reply, steps, "".join(tokens.tokens)


def tool_messages(request) -> list[dict]:
    return [m for m in request.messages if m["role"] == "tool"]


def test_a_call_streamed_in_pieces_runs_and_its_result_goes_back_to_the_model(model, model_server):
    arguments = json.dumps({"timezone": "Asia/Tokyo"})
    model_server.queue(
        Reply(tokens=["Let me check. "], **_calls(ScriptedCall("get_current_time", arguments))),
        Reply.text("It is nine in Tokyo."),
    )
    reply, steps, text = ask(model, [TIME])
    assert text == "Let me check. It is nine in Tokyo."
    assert [(s.name, s.status, s.arguments) for s in steps] == [
        ("get_current_time", StepStatus.RUNNING, {"timezone": "Asia/Tokyo"}),
        ("get_current_time", StepStatus.DONE, {"timezone": "Asia/Tokyo"}),
    ]
    assert steps[-1].result == "It is 09:00 in Asia/Tokyo." and steps[-1].server == "time"
    first, second = model_server.chat_requests
    assert [t["function"]["name"] for t in first.body["tools"]] == ["get_current_time"]
    assert tool_messages(second) == [
        {"role": "tool", "content": "It is 09:00 in Asia/Tokyo.", "tool_call_id": "call_0"}
    ]
    assert second.messages[-2]["tool_calls"][0]["function"]["arguments"] == arguments
    assert len(reply.usages) == 2 and not reply.capped


def _calls(*calls: ScriptedCall, **options) -> dict:
    reply = Reply.calls(*calls, **options)
    return {"tool_calls": reply.tool_calls, "finish_reason": "tool_calls", **options}


@pytest.mark.parametrize("whole", [False, True], ids=["openai pieces", "ollama whole"])
def test_two_calls_at_once_are_shown_together_then_answered_in_order(model, model_server, whole):
    tokyo, paris = ({"timezone": zone} for zone in ("Asia/Tokyo", "Europe/Paris"))
    model_server.queue(
        Reply.calls(
            ScriptedCall("get_current_time", json.dumps(tokyo)),
            ScriptedCall("get_current_time", json.dumps(paris)),
            whole_calls=whole,
        ),
        Reply.text("Both known."),
    )
    _, steps, _ = ask(model, [TIME])
    assert [s.status for s in steps[:2]] == [StepStatus.RUNNING, StepStatus.RUNNING]
    assert {s.status for s in steps[2:]} == {StepStatus.DONE}
    results = tool_messages(model_server.chat_requests[-1])
    assert [(m["tool_call_id"], m["content"]) for m in results] == [
        ("call_0", "It is 09:00 in Asia/Tokyo."),
        ("call_1", "It is 09:00 in Europe/Paris."),
    ]


def test_an_unknown_tool_and_bad_json_are_failed_steps_the_model_hears_of(model, model_server):
    unknown = ScriptedCall("launch_rockets", "{}")
    not_json = ScriptedCall("get_current_time", "timezone is Tokyo")
    # LangChain reads a cut-off object as far as it goes: {} here, which the tool refuses.
    cut_off = ScriptedCall("get_current_time", '{"timezone": ')
    model_server.queue(Reply.calls(unknown, not_json, cut_off), Reply.text("Sorry."))
    _, steps, text = ask(model, [TIME])
    ended = {s.call_id: s for s in steps[3:]}
    assert {s.status for s in ended.values()} == {StepStatus.FAILED}
    assert ended["call_0"].error == "there is no tool named 'launch_rockets'"
    assert ended["call_1"].error == "the arguments are not a JSON object"
    assert ended["call_1"].arguments is None
    assert ended["call_1"].raw_arguments == "timezone is Tokyo"
    assert "timezone" in ended["call_2"].error and "Field required" in ended["call_2"].error
    results = {
        m["tool_call_id"]: m["content"] for m in tool_messages(model_server.chat_requests[-1])
    }
    assert results["call_0"] == "Error: there is no tool named 'launch_rockets'."
    assert results["call_1"] == "Error: the arguments are not a JSON object."
    assert results["call_2"].startswith("Error: ValidationError")
    assert text == "Sorry."


def test_a_failing_tool_is_marked_with_its_reason_and_the_model_carries_on(model, model_server):
    model_server.queue(
        Reply.calls(ScriptedCall("broken", '{"reason": "tests"}')), Reply.text("It failed.")
    )
    _, steps, text = ask(model, [OfferedTool(broken)])
    assert steps[-1].status is StepStatus.FAILED
    assert "disk on fire: tests" in steps[-1].error
    assert "disk on fire" in tool_messages(model_server.chat_requests[-1])[0]["content"]
    assert text == "It failed."


def test_a_call_past_its_timeout_fails_without_holding_the_answer(model, model_server):
    model_server.queue(Reply.calls(ScriptedCall("slow", '{"seconds": 5}')), Reply.text("Too slow."))
    started = time.monotonic()
    _, steps, _ = ask(model, [OfferedTool(slow)], limits=ToolLimits(call_seconds=0.3))
    assert time.monotonic() - started < 4  # not the tool's 5 s
    assert steps[-1].status is StepStatus.FAILED
    assert steps[-1].error == "no result within 0.3 s"


def test_a_long_result_reaches_the_model_cut_with_a_note(model, model_server):
    model_server.queue(Reply.calls(ScriptedCall("long_page", '{"url": "x"}')), Reply.text("Read."))
    _, steps, _ = ask(model, [OfferedTool(long_page)], limits=ToolLimits(result_chars=100))
    sent = tool_messages(model_server.chat_requests[-1])[0]["content"]
    assert sent.startswith("word word") and len(sent) < 200
    assert "[The result was cut: it had 25,000 characters; the first 100 are given.]" in sent
    assert steps[-1].cut and len(steps[-1].result) == 4_000  # what the page keeps


def test_the_last_model_call_offers_no_tools_and_a_model_that_insists_is_capped(
    model, model_server
):
    call = ScriptedCall("get_current_time", '{"timezone": "UTC"}')
    model_server.queue(Reply.calls(call), Reply.calls(call), Reply.calls(call))
    reply, steps, _ = ask(model, [TIME], limits=ToolLimits(model_calls=3))
    requests = model_server.chat_requests
    assert len(requests) == 3
    assert [r.body.get("tool_choice") for r in requests] == ["auto", "auto", "none"]
    assert reply.capped
    assert steps[-1].status is StepStatus.SKIPPED and steps[-1].error == "step limit"
    assert reply.steps[-1] == steps[-1] and len(reply.steps) == 3


def test_a_tool_that_asks_first_runs_only_when_the_visitor_says_run(model, model_server):
    asked = []
    guarded = OfferedTool(get_current_time, server="time", asks_first=True)
    call = ScriptedCall("get_current_time", '{"timezone": "UTC"}')
    model_server.queue(Reply.calls(call), Reply.text("Skipped."))
    _, steps, _ = ask(model, [guarded], approve=lambda step: asked.append(step) or False)
    assert asked[0].status is StepStatus.WAITING and asked[0].arguments == {"timezone": "UTC"}
    assert steps[-1].status is StepStatus.SKIPPED
    assert tool_messages(model_server.chat_requests[-1])[0]["content"].startswith("Error: skipped")

    model_server.reset()
    model_server.queue(Reply.calls(call), Reply.text("Ran."))
    _, steps, _ = ask(model, [guarded], approve=lambda step: True)
    assert [s.status for s in steps] == [StepStatus.WAITING, StepStatus.RUNNING, StepStatus.DONE]


def test_a_stop_during_a_tool_call_ends_the_wait_at_once(model, model_server):
    class StoppedError(Exception):
        pass

    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()

    def check() -> None:
        if stop.is_set():
            raise StoppedError

    model_server.queue(Reply.calls(ScriptedCall("slow", '{"seconds": 3}')))
    started = time.monotonic()
    with pytest.raises(StoppedError):
        ask(model, [OfferedTool(slow)], check=check)
    assert time.monotonic() - started < 2


def test_without_tools_the_model_is_asked_plainly(model, model_server):
    model_server.queue(Reply.text("Plain."))
    _, steps, text = ask(model, [])
    assert text == "Plain." and steps == []
    assert "tools" not in model_server.chat_requests[-1].body
