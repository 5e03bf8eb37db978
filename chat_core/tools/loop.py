"""The answer's loop of tool calls: the model asks for tools, they run, it reads the results.

The OpenAI tool-call protocol that every compatible server speaks, through LangChain's
``bind_tools``: each model call streams its text to the same handler as a plain answer
(so text, thinking and steps keep their order), every call the model asks for becomes a
:class:`ToolStep` the page shows as it runs, and every call gets a ``ToolMessage`` back
(an error for an unknown tool, arguments that are not JSON, a failure, a timeout or a
Skip) so the model can carry on. Bounded: at most ``limits.model_calls`` model calls, the
last with ``tool_choice="none"``; a timeout per tool call; results cut before the model
reads them, with a note saying so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.messages.tool import ToolCall
from langchain_core.tools import BaseTool

from chat_core.conversation.tool_steps import Source, StepStatus, ToolStep

__all__ = [
    "OfferedTool",
    "ToolLimits",
    "ToolLoopReply",
    "ToolRunner",
    "answer_with_tools",
    "as_text",
    "run_sync_tool",
]

_POLL_SECONDS = 0.1  # how often a wait for tools looks whether the answer was stopped
_PARALLEL_CALLS = 4


@dataclass(frozen=True)
class OfferedTool:
    tool: BaseTool
    server: str | None = None  # None: built in
    asks_first: bool = False  # the visitor says Run or Skip before it runs


@dataclass(frozen=True)
class ToolLimits:
    model_calls: int = 8  # CHAT_TOOL_STEPS
    call_seconds: float = 30.0
    result_chars: int = 8_000  # of each result the model reads


@dataclass
class ToolLoopReply:
    last: AIMessage  # the model's last message (its finish reason, its usage)
    usages: list[dict[str, Any]] = field(default_factory=list)  # one per model call
    steps: list[ToolStep] = field(default_factory=list)
    capped: bool = False  # the model still asked for tools when no more calls were left
    model_calls: int = 0


ToolRunner = Callable[[BaseTool, ToolCall, float], ToolMessage]
"""Runs one call within the given seconds; raises TimeoutError past them."""


def answer_with_tools(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    offered: Sequence[OfferedTool],
    *,
    handler: BaseCallbackHandler,
    limits: ToolLimits,
    run: ToolRunner,
    on_step: Callable[[ToolStep], None],
    approve: Callable[[ToolStep], bool] = lambda step: True,
    before_call: Callable[[int, Sequence[BaseMessage]], None] = lambda number, sent: None,
    check: Callable[[], None] = lambda: None,
) -> ToolLoopReply:
    """Ask ``model`` with the ``offered`` tools until it answers without asking for one.

    ``on_step`` hears of each step as it starts and as it ends; ``approve`` blocks until
    the visitor chose (True: run); ``before_call(n, messages)`` comes before the n-th
    model call with what it sends (reserving it against the limits may raise); ``check``
    raises if the answer was stopped. Exceptions from the model, the handler or these
    hooks propagate.
    """
    by_name = {item.tool.name: item for item in offered}
    tools = [item.tool for item in offered]
    history = list(messages)
    reply = ToolLoopReply(last=AIMessage(content=""))
    for number in range(1, max(1, limits.model_calls) + 1):
        before_call(number, history)
        last_call = number >= limits.model_calls
        bound = (
            model.bind_tools(tools, tool_choice="none" if last_call else "auto") if tools else model
        )
        message = _with_call_ids(bound.invoke(history, config={"callbacks": [handler]}), number)
        reply.last = message
        reply.model_calls = number
        if message.usage_metadata:
            reply.usages.append(dict(message.usage_metadata))
        calls = _calls_of(message)
        if not calls or not tools:
            return reply
        if last_call:
            reply.capped = True
            for call in calls:
                step = _step_for(call, by_name, number)
                skipped = step.ended(StepStatus.SKIPPED, error="step limit")
                reply.steps.append(skipped)
                on_step(skipped)
            return reply
        history.append(message)
        steps = _run_calls(calls, number, by_name, limits, run, on_step, approve, check)
        reply.steps.extend(step for step, _ in steps)
        history.extend(result for _, result in steps)
    return reply


def _with_call_ids(message: AIMessage, number: int) -> AIMessage:
    """Some servers send calls without ids; each result must name its call, so each gets
    one (in the message sent back too)."""
    if all(call.get("id") for call in [*message.tool_calls, *message.invalid_tool_calls]):
        return message
    named = iter(range(1_000_000))

    def with_id(call: dict[str, Any]) -> dict[str, Any]:
        index = next(named)
        return call if call.get("id") else {**call, "id": f"call_{number}_{index}"}

    return message.model_copy(
        update={
            "tool_calls": [with_id(call) for call in message.tool_calls],
            "invalid_tool_calls": [with_id(call) for call in message.invalid_tool_calls],
        }
    )


def _calls_of(message: AIMessage) -> list[dict[str, Any]]:
    """Every call the model asked for, its arguments parsed or not (both need an answer)."""
    valid = [dict(call, valid=True) for call in message.tool_calls]
    invalid = [dict(call, valid=False) for call in message.invalid_tool_calls]
    return valid + invalid


def _step_for(call: dict[str, Any], by_name: dict[str, OfferedTool], number: int) -> ToolStep:
    offered = by_name.get(call.get("name") or "")
    arguments = call.get("args") if call["valid"] else None
    return ToolStep(
        call_id=str(call.get("id") or ""),
        name=str(call.get("name") or "?")[:128],
        server=offered.server if offered else None,
        arguments=arguments if isinstance(arguments, dict) else None,
        raw_arguments="" if call["valid"] else str(call.get("args") or "")[:8_000],
        status=StepStatus.WAITING if offered and offered.asks_first else StepStatus.RUNNING,
        round=number,
    )


def _run_calls(
    calls: list[dict[str, Any]],
    number: int,
    by_name: dict[str, OfferedTool],
    limits: ToolLimits,
    run: ToolRunner,
    on_step: Callable[[ToolStep], None],
    approve: Callable[[ToolStep], bool],
    check: Callable[[], None],
) -> list[tuple[ToolStep, ToolMessage]]:
    """The calls of one model message: all shown at once, then run side by side."""
    steps = [_step_for(call, by_name, number) for call in calls]
    for step in steps:
        on_step(step)
    ended: dict[int, tuple[ToolStep, ToolMessage]] = {}
    pending: dict[int, tuple[Future, float]] = {}
    pool = ThreadPoolExecutor(max_workers=_PARALLEL_CALLS, thread_name_prefix="tool")
    try:
        for index, (call, step) in enumerate(zip(calls, steps, strict=True)):
            refusal = _refusal(call, by_name)
            if refusal is None and step.status is StepStatus.WAITING:
                if not approve(step):
                    refusal = (StepStatus.SKIPPED, "skipped by the visitor")
                else:
                    on_step(step := _running(step))
                    steps[index] = step
            if refusal is not None:
                ended[index] = _refused(step, refusal, on_step)
                continue
            tool_call = ToolCall(
                name=call["name"], args=call["args"], id=call["id"], type="tool_call"
            )
            future = pool.submit(run, by_name[call["name"]].tool, tool_call, limits.call_seconds)
            pending[index] = (future, time.monotonic())
        _wait_for(pending, check)
    finally:  # a stop leaves the calls still running to their own timeouts
        pool.shutdown(wait=False, cancel_futures=True)
    for index, (future, started) in pending.items():
        ended[index] = _finished(steps[index], future, started, limits, on_step)
    return [ended[index] for index in range(len(calls))]


def _running(step: ToolStep) -> ToolStep:
    return replace(step, status=StepStatus.RUNNING)


def _refusal(
    call: dict[str, Any], by_name: dict[str, OfferedTool]
) -> tuple[StepStatus, str] | None:
    if call.get("name") not in by_name:
        return StepStatus.FAILED, f"there is no tool named {str(call.get('name'))[:128]!r}"
    if not call["valid"] or not isinstance(call.get("args"), dict):
        return StepStatus.FAILED, "the arguments are not a JSON object"
    return None


def _refused(
    step: ToolStep, refusal: tuple[StepStatus, str], on_step: Callable[[ToolStep], None]
) -> tuple[ToolStep, ToolMessage]:
    status, why = refusal
    done = step.ended(status, error=why, seconds=0.0)
    on_step(done)
    return done, ToolMessage(content=f"Error: {why}.", tool_call_id=step.call_id, status="error")


def _wait_for(pending: dict[int, tuple[Future, float]], check: Callable[[], None]) -> None:
    """Until every call is done, looking between whiles whether the answer was stopped."""
    waiting = {future for future, _ in pending.values()}
    while waiting:
        check()
        _, waiting = wait(waiting, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)


def _finished(
    step: ToolStep,
    future: Future,
    started: float,
    limits: ToolLimits,
    on_step: Callable[[ToolStep], None],
) -> tuple[ToolStep, ToolMessage]:
    seconds = round(time.monotonic() - started, 3)
    error = future.exception()
    if isinstance(error, TimeoutError):
        why = f"no result within {limits.call_seconds:g} s"
    elif error is not None:
        why = _reason(error)
    else:
        why = None
    if why is not None:
        done = step.ended(StepStatus.FAILED, error=why, seconds=seconds)
        on_step(done)
        return done, ToolMessage(
            content=f"Error: {why}.", tool_call_id=step.call_id, status="error"
        )
    message: ToolMessage = future.result()
    text = as_text(message.content)
    failed = message.status == "error"
    cut = len(text) > limits.result_chars
    for_model = text[: limits.result_chars]
    if cut:
        for_model += (
            f"\n[The result was cut: it had {len(text):,} characters; "
            f"the first {limits.result_chars:,} are given.]"
        )
    status = StepStatus.FAILED if failed else StepStatus.DONE
    done = step.ended(status, result=text, error="the tool said it failed" if failed else None,
                      seconds=seconds, cut=cut)  # fmt: skip
    done = replace(done, sources=_sources_of(message.artifact))
    on_step(done)
    content = for_model or "(no output)"
    return done, ToolMessage(content=content, tool_call_id=step.call_id, status=message.status)


def _sources_of(artifact: Any) -> tuple[Source, ...]:
    """What a built-in web tool found, kept with its step (other tools' artifacts are not)."""
    if isinstance(artifact, tuple) and all(isinstance(item, Source) for item in artifact):
        return artifact
    return ()


def _reason(error: BaseException) -> str:
    """A failure in a few words for the page and the model (never a traceback)."""
    text = " ".join(str(error).split())[:300]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def as_text(content: Any) -> str:
    """A tool's result as plain text: text parts joined, others named (never their bytes)."""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content if isinstance(content, list) else [content]:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
        elif isinstance(block, dict):
            parts.append(f"[{block.get('type', 'content')}]")
    return "\n".join(parts)


def run_sync_tool(tool: BaseTool, call: ToolCall, seconds: float) -> ToolMessage:
    """Run a tool that has a plain function, giving up after ``seconds``."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tool-call")
    try:
        return pool.submit(tool.invoke, call).result(timeout=seconds)
    finally:  # past the timeout the call is left to end by itself
        pool.shutdown(wait=False)
