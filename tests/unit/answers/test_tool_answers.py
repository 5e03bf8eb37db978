"""An answer that calls tools, as its job runs it: MCP's reference "everything" server over
Streamable HTTP (npm), the scripted model on loopback, and the visitor's Run, Skip and Stop
given to the job as a page gives them."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from chat_core.answers.jobs import AnswerJob, JobRegistry
from chat_core.answers.lifecycle import AnswerRun
from chat_core.answers.run import AnswerRequest, write_answer
from chat_core.answers.tool_run import ToolPlan
from chat_core.conversation.messages import ChatMessage, Status
from chat_core.conversation.tool_steps import StepStatus
from chat_core.errors import ErrorKind
from chat_core.limits import Limits, MemoryLedger, Request, reserve
from chat_core.settings.settings import Settings
from chat_core.tools.choice import ToolSwitches
from chat_core.tools.loop import ToolLimits
from chat_core.tools.mcp_config import parse_mcp_config
from tests.support.mcp_servers import everything_server
from tests.support.scripted_server import Reply, ScriptedCall
from tests.support.turns import plan

TOGGLE = ScriptedCall("toggle-simulated-logging", "{}", "call_toggle")  # readOnlyHint: false
ECHO = ScriptedCall("echo", '{"message": "こんにちは"}', "call_echo")  # readOnlyHint: true


@pytest.fixture(scope="module")
def everything():
    with everything_server() as url:
        yield url


def tool_request(model_server, url: str, question: str = "Go", **settings) -> AnswerRequest:
    config = parse_mcp_config(json.dumps({"mcpServers": {"everything": {"url": url}}}), {})
    assert config.problems == ()
    chosen = Settings(api_key="test-key", base_url=model_server.base_url, model="scripted-small",
                      **settings)  # fmt: skip
    tools = ToolPlan(config.servers, ToolSwitches(), ToolLimits(4, 20.0, 2_000), 20.0)
    message = ChatMessage.user(question)
    return AnswerRequest(plan([], message, chosen, "en"), message, chosen, "en", tools=tools)


def waiting_step(job: AnswerJob, within: float = 30.0):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        waiting = [s for s in job.steps() if s.status is StepStatus.WAITING]
        if waiting:
            return waiting[0]
        time.sleep(0.02)
    raise AssertionError(f"no step waits for the visitor: {job.steps()}")


def test_a_read_only_tool_runs_at_once_over_streamable_http(model_server, everything):
    model_server.queue(Reply.calls(ECHO), Reply.text("It said hello."))
    request = tool_request(model_server, everything)
    job = JobRegistry().start("c1", "alice", lambda job: write_answer(job, request))
    ended = job.wait_ended(60)
    answer = ended.answer
    assert (answer.status, answer.content) == (Status.COMPLETE, "It said hello.")
    (step,) = answer.steps
    assert (step.name, step.server, step.status) == ("echo", "everything", StepStatus.DONE)
    assert "こんにちは" in step.result
    returned = model_server.chat_requests[-1].messages[-1]
    assert returned["role"] == "tool" and "こんにちは" in returned["content"]


@pytest.mark.parametrize("run", [True, False], ids=["run", "skip"])
def test_a_tool_that_may_change_things_waits_for_run_or_skip(model_server, everything, run):
    model_server.queue(Reply.calls(TOGGLE), Reply.text("Done."))
    request = tool_request(model_server, everything)
    job = JobRegistry().start("c1", "alice", lambda job: write_answer(job, request))
    step = waiting_step(job)
    assert len(model_server.chat_requests) == 1  # nothing ran, nothing was sent back yet
    job.decide(step.call_id, run)
    answer = job.wait_ended(60).answer
    (ended,) = answer.steps
    returned = model_server.chat_requests[-1].messages[-1]
    if run:
        assert ended.status is StepStatus.DONE and "logging" in ended.result.lower()
        assert "logging" in returned["content"].lower()
    else:
        assert ended.status is StepStatus.SKIPPED and ended.error == "skipped by the visitor"
        assert returned["content"] == "Error: skipped by the visitor."
    assert answer.content == "Done."


def test_stop_while_a_step_waits_ends_the_answer_and_marks_the_step(model_server, everything):
    model_server.queue(Reply.calls(TOGGLE, tokens=["Let me switch it."]), Reply.text("never"))
    request = tool_request(model_server, everything)
    job = JobRegistry().start("c1", "alice", lambda job: write_answer(job, request))
    waiting_step(job)
    job.stop()
    answer = job.wait_ended(30).answer
    assert (answer.status, answer.content) == (Status.STOPPED, "Let me switch it.")
    assert [s.status for s in answer.steps] == [StepStatus.SKIPPED]
    assert len(model_server.chat_requests) == 1


def test_each_model_call_after_the_first_is_reserved_and_a_limit_ends_the_answer(
    model_server, everything
):
    model_server.queue(Reply.calls(ECHO, tokens=["Checking."]), Reply.text("never sent"))
    ledger = MemoryLedger()
    request = tool_request(model_server, everything, tokens_per_day=2_000, max_tokens=512)
    first = Request("alice", "scripted-small", request.plan.input_tokens, 512)
    settlement = reserve(ledger, first, Limits(tokens_per_day=2_000), datetime.now(UTC))
    # Someone else's day: what is left is less than a second call's worst case.
    spent_today = Request("alice", "scripted-small", 2_000 - first.worst_case - 100, 0)
    reserve(ledger, spent_today, Limits(), datetime.now(UTC))
    run = AnswerRun(request, settlement, question=0, ledger=ledger)
    job = JobRegistry().start("c1", "alice", run)
    answer = job.wait_ended(60).answer
    assert answer.status is Status.FAILED and answer.error.kind is ErrorKind.TOKENS_LEFT
    assert answer.content == "Checking." and answer.steps[0].status is StepStatus.DONE
    assert len(model_server.chat_requests) == 1  # the second call was never sent
