"""An answer that may call tools: the MCP sessions opened for it, the loop of calls run
with the job's hooks (each step emitted as it changes, Run or Skip asked of the visitor
through the job, Stop heard between calls, each model call after the first reserved
against the limits), and what the tools cost added up.

A server that cannot be used, or a model that cannot use tools, is said in the bubble
and the question is answered without them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import openai
from langchain_core.messages import BaseMessage

from chat_core.answers.events import StepChanged, ToolsNotice
from chat_core.answers.jobs import AnswerJob, JobStopped
from chat_core.conversation.tool_steps import StepStatus, ToolStep
from chat_core.prompt.turn_plan import TurnPlan
from chat_core.provider.chat_model import make_chat_model
from chat_core.settings.settings import Settings
from chat_core.tools.choice import BUILT_IN, ToolSwitches
from chat_core.tools.loop import ToolLimits, ToolLoopReply, answer_with_tools
from chat_core.tools.mcp_config import McpServer
from chat_core.tools.mcp_tools import McpToolbox
from chat_core.usage.estimate import prompt_tokens
from chat_core.usage.tokens import Usage, usage_from
from chat_core.web.web_tools import WebPlan, WebToolbox

__all__ = ["ToolPlan", "ToolReply", "respond_with_tools", "summed_usage"]

log = logging.getLogger(__name__)

# How long a step waits for the visitor's Run or Skip before it is skipped.
APPROVAL_SECONDS = 600.0


@dataclass(frozen=True)
class ToolPlan:
    """The tools one answer may use: the deployer's servers as the conversation's switches
    leave them, and the bounds of the loop."""

    servers: tuple[McpServer, ...]
    switches: ToolSwitches
    limits: ToolLimits
    connect_seconds: float = 10.0
    web: WebPlan = field(default_factory=WebPlan)  # the built-in tools

    @property
    def servers_on(self) -> tuple[McpServer, ...]:
        return tuple(s for s in self.servers if self.switches.server_on(s.name))

    @property
    def web_on(self) -> WebPlan:
        """The built-in tools as the switches leave them."""
        return self.web if self.switches.server_on(BUILT_IN) else WebPlan()

    @property
    def any_on(self) -> bool:
        return bool(self.servers_on or self.web_on.names)


@dataclass(frozen=True)
class ToolReply:
    text: str
    finish_reason: str | None
    usage: Usage  # of every model call together


def _refuses_tools(error: BaseException) -> bool:
    """The model or its server refused tools (e.g. Ollama's "does not support tools")."""
    return isinstance(error, openai.BadRequestError) and "tool" in str(error).lower()


def respond_with_tools(
    plan: TurnPlan,
    settings: Settings,
    tools: ToolPlan,
    *,
    job: AnswerJob,
    handler,
    reserve_call: Callable[[int], None],
    answer_plainly: Callable[[], object],
) -> ToolReply | object:
    """Answer ``plan`` with the tools switched on; without any that answer, ``answer_plainly``.

    ``reserve_call(input_tokens)`` comes before each model call after the first (it
    raises when the limits say no); a step that asks first waits for the job's decision.
    """
    with (
        WebToolbox(tools.web_on, seconds=tools.limits.call_seconds) as web,
        McpToolbox(tools.servers_on, connect_seconds=tools.connect_seconds) as box,
    ):
        for problem in box.problems:
            job.emit(ToolsNotice(problem))
        offered, clashes = tools.switches.offered([*web.tools, *box.tools])
        for clash in clashes:
            log.info("tool %s left out: an earlier server has a tool of that name", clash)
        if not offered:
            return answer_plainly()
        steps = _StepTracker(job, handler)
        try:
            reply = answer_with_tools(
                make_chat_model(settings),
                plan.messages,
                offered,
                handler=handler,
                limits=tools.limits,
                run=lambda tool, call, seconds: (web if web.owns(tool) else box).run(
                    tool, call, seconds
                ),
                on_step=steps.changed,
                approve=lambda step: _approved(job, step),
                before_call=lambda number, sent: _before_call(number, sent, job, reserve_call),
                check=lambda: _check(job),
            )
        except openai.BadRequestError as error:
            if handler.has_started or job.steps() or not _refuses_tools(error):
                raise
            log.info("the model refused tools: %s", type(error).__name__)
            job.emit(ToolsNotice(unsupported=True))
            return answer_plainly()
    return _reply(reply, plan, settings, job)


def _reply(reply: ToolLoopReply, plan: TurnPlan, settings: Settings, job: AnswerJob) -> ToolReply:
    text, model = job.text(), settings.model
    if len(reply.usages) == reply.model_calls:
        calls = tuple(
            usage_from(metadata, prompt_tokens=0, answer="", model=model)
            for metadata in reply.usages
        )
    else:  # a server that sends no usage: the prompt's estimate for each call
        estimate = usage_from(None, prompt_tokens=plan.input_tokens, answer=text, model=model)
        rest = replace(estimate, output_tokens=0)
        calls = (estimate, *[rest] * (reply.model_calls - 1))
    return ToolReply(
        text,
        reply.last.response_metadata.get("finish_reason"),
        summed_usage(calls, settings.model),
    )


def summed_usage(calls: Sequence[Usage], model: str) -> Usage:
    """The usage of an answer of several model calls: theirs added up."""
    return Usage(
        sum(u.input_tokens for u in calls),
        sum(u.output_tokens for u in calls),
        model,
        estimated=any(u.estimated for u in calls),
        reasoning_tokens=sum(u.reasoning_tokens for u in calls),
    )


class _StepTracker:
    """Emits each step as it changes, placed where it came in the answer's text; the text
    after a step begins a paragraph of its own."""

    def __init__(self, job: AnswerJob, handler) -> None:
        self._job = job
        self._handler = handler
        self._text_at: dict[tuple[int, str], int] = {}

    def changed(self, step: ToolStep) -> None:
        key = (step.round, step.call_id)
        if key not in self._text_at:
            self._text_at[key] = len(self._job.text())
        self._handler.break_paragraph()
        self._job.emit(StepChanged(replace(step, text_at=self._text_at[key])))
        if not step.is_open:
            self._handler.save_now()


def _approved(job: AnswerJob, step: ToolStep) -> bool:
    if step.status is not StepStatus.WAITING:
        return True
    decision = job.decision(step.call_id, APPROVAL_SECONDS)
    _check(job)
    return bool(decision)


def _check(job: AnswerJob) -> None:
    if (reason := job.stop_reason) is not None:
        raise JobStopped(reason)


def _before_call(
    number: int,
    sent: Sequence[BaseMessage],
    job: AnswerJob,
    reserve_call: Callable[[int], None],
) -> None:
    _check(job)
    if number > 1:
        reserve_call(prompt_tokens(sent))
