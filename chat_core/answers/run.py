"""One answer written by a job: the model call, its checkpoints, and how it ended.

The run sends exactly the messages of the turn's plan (chat_core/prompt/turn_plan.py) and
emits what comes back to the job as events (chat_core/answers/events.py): thinking,
answer text, a retry of the server, and the end with the stored answer.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel

from chat_core.answers.events import AnswerText, Retrying, ThinkingText
from chat_core.answers.jobs import AnswerJob, JobStopped, StopReason
from chat_core.answers.tool_run import ToolPlan, respond_with_tools
from chat_core.conversation.messages import ChatMessage, Status, Thinking
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.prompt.turn_plan import TurnPlan
from chat_core.provider.chat_model import make_chat_model, reporting_retries
from chat_core.provider.error_mapping import classify, finish_problem
from chat_core.provider.thinking_model import reasoning_of
from chat_core.provider.thinking_split import Split, ThinkSplitter
from chat_core.redact import redact
from chat_core.settings.settings import Settings
from chat_core.usage.tokens import Usage, usage_from

__all__ = [
    "AnswerRequest",
    "CallRefused",
    "JobTokenHandler",
    "ModelReply",
    "respond",
    "write_answer",
]

log = logging.getLogger(__name__)


class _StopIsNoError(logging.Filter):
    """LangChain logs every exception a callback raises as an error before raising it;
    a job told to stop is not one."""

    def filter(self, record: logging.LogRecord) -> bool:
        return JobStopped.__name__ not in record.getMessage()


logging.getLogger("langchain_core.callbacks.manager").addFilter(_StopIsNoError())

# How often the answer being written is saved: a crash loses at most this much, and a
# page in another process sees the answer grow at this pace. Each save costs about 1 ms
# of CPU (bench/checkpoint_cost.py): every 2 s, a crash lost 16 words of a slow answer.
CHECKPOINT_EVERY = 0.5


@dataclass(frozen=True)
class ModelReply:
    text: str
    finish_reason: str | None  # "stop", "length", ...; None if the stream had no end
    usage: Usage


def respond(
    plan: TurnPlan,
    settings: Settings,
    *,
    handler: BaseCallbackHandler,
    model: BaseChatModel | None = None,
) -> ModelReply:
    """Send the plan's messages to the model; tokens stream to ``handler``.

    Exceptions from the provider, or raised by the handler, propagate.
    """
    chat_model = model or make_chat_model(settings)
    reply = chat_model.invoke(list(plan.messages), config={"callbacks": [handler]})
    usage = usage_from(
        reply.usage_metadata,
        prompt_tokens=plan.input_tokens,
        answer=reply.text,
        model=settings.model,
    )
    return ModelReply(reply.text, reply.response_metadata.get("finish_reason"), usage)


class JobTokenHandler(BaseCallbackHandler):
    """Receives the model's tokens (made fresh for each answer) and emits them to the job,
    whose log every page showing the conversation follows.

    A thinking model's thoughts go to the job's thinking stream, whether they come in a
    ``reasoning_content`` / ``reasoning`` delta (kept by ThinkingChatOpenAI) or inline in
    the content between ``<think>`` and ``</think>``; only the answer goes to the answer.
    """

    raise_error = True  # a stop signal ends the model call

    def __init__(
        self,
        job: AnswerJob,
        *,
        checkpoint: Callable[[str, str], None] | None = None,
        every: float = CHECKPOINT_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._job = job
        self._checkpoint = checkpoint
        self._every = every
        self._clock = clock
        self._last_checkpoint = clock()
        self._splitter = ThinkSplitter()
        self._new_paragraph = False
        self.has_started = False

    def on_llm_new_token(self, token: str, *, chunk: Any = None, **kwargs: Any) -> None:
        if (reason := self._job.stop_reason) is not None:
            raise JobStopped(reason)  # ends the model call: raise_error
        reasoning = reasoning_of(getattr(chunk, "message", None))
        if not token and not reasoning:
            return
        self.has_started = True
        self._emit(Split(thinking=reasoning) + self._splitter.feed(token))
        if self._clock() - self._last_checkpoint >= self._every:
            self.save_now()

    def save_now(self) -> None:
        """Save the answer as it stands (a tool call that ended is worth a save at once)."""
        self._last_checkpoint = self._clock()
        if self._checkpoint is not None:
            self._checkpoint(self._job.text(), self._job.thinking()[0])

    def break_paragraph(self) -> None:
        """A tool step came: the answer's next words begin a paragraph of their own."""
        self._new_paragraph = True

    def finish(self) -> None:
        """The stream has ended (however, a stop included): what the splitter held back is
        placed now."""
        self._emit(self._splitter.finish())

    def _emit(self, split: Split) -> None:
        if split.thinking:
            self._job.emit(ThinkingText(split.thinking))
        if split.answer:
            text = split.answer
            if self._new_paragraph:
                self._new_paragraph = False
                so_far = self._job.text()
                if so_far and not so_far.endswith("\n\n"):
                    text = ("\n" if so_far.endswith("\n") else "\n\n") + text.lstrip("\n")
            self._job.emit(AnswerText(text))


@dataclass(frozen=True)
class AnswerRequest:
    plan: TurnPlan  # exactly what is sent
    question: ChatMessage
    settings: Settings
    language: str
    tools: ToolPlan | None = None  # None: no tool is switched on


class CallRefused(Exception):  # noqa: N818 - a limit's answer, raised between model calls
    """A model call after the first would pass a limit: the answer ends with what it has."""

    def __init__(self, error: UserFacingError) -> None:
        super().__init__(error.kind.value)
        self.error = error


_STOPPED_AS = {
    StopReason.STOPPED: (Status.STOPPED, None),
    StopReason.TIMED_OUT: (Status.FAILED, ErrorKind.TIMEOUT),
    StopReason.SHUTDOWN: (Status.FAILED, ErrorKind.INTERRUPTED),
    StopReason.ABANDONED: (Status.STOPPED, None),  # nobody is left to see it
}


def write_answer(
    job: AnswerJob,
    request: AnswerRequest,
    *,
    checkpoint: Callable[[ChatMessage], None] | None = None,
    done: Callable[[ChatMessage], None] = lambda _: None,
    reserve_call: Callable[[int], None] = lambda input_tokens: None,
) -> ChatMessage:
    """Ask the model, streaming into ``job``; return the answer however it ended.

    ``checkpoint`` receives the partial answer every few seconds; ``done`` the final
    one (to save it and settle its cost) before any page sees the job end;
    ``reserve_call(input_tokens)`` each model call after the first of an answer that
    uses tools (raising :class:`CallRefused` when a limit says no).
    """
    settings = request.settings

    def saved_so_far(text: str, thinking: str) -> None:
        thought = Thinking(thinking, None, ended=False) if thinking else None
        steps = job.steps()
        checkpoint(
            ChatMessage.assistant(text, status=Status.STREAMING, thinking=thought, steps=steps)
        )

    handler = JobTokenHandler(job, checkpoint=None if checkpoint is None else saved_so_far)
    attempts = iter(range(1, settings.max_retries + 1))

    def retrying(status: int) -> None:
        attempt = next(attempts, None)
        if attempt is not None and not handler.has_started:
            job.emit(Retrying(status, attempt, settings.max_retries))

    def answer_plainly() -> ModelReply:
        return respond(request.plan, settings, handler=handler)

    started_at = time.monotonic()
    try:
        with reporting_retries(retrying):
            if request.tools is None:
                reply = answer_plainly()
            else:
                reply = respond_with_tools(request.plan, settings, request.tools, job=job,
                                           handler=handler, reserve_call=reserve_call,
                                           answer_plainly=answer_plainly)  # fmt: skip
    except JobStopped as stop:
        status, kind = _STOPPED_AS[stop.reason]
        error = None if kind is None else UserFacingError(kind)
        answer = _ended(handler, job, status=status, error=error)
    except CallRefused as refused:
        answer = _ended(handler, job, status=Status.FAILED, error=refused.error)
    except Exception as exc:  # every failure becomes a message in the page
        error = classify(
            exc,
            model=settings.model,
            base_url=settings.base_url,
            started=handler.has_started,
            elapsed=time.monotonic() - started_at,
            sent_images=request.question.has_images,
        )
        details = redact("".join(traceback.format_exception(exc)), [settings.api_key])
        log.warning("answer failed (%s):\n%s", error.kind.value, details)
        answer = _ended(handler, job, status=Status.FAILED, error=error)
    else:
        answer = _finished(reply, settings, handler, job)
    done(answer)
    return answer


def _ended(
    handler: JobTokenHandler,
    job: AnswerJob,
    *,
    status: Status,
    error: UserFacingError | None = None,
    usage: Usage | None = None,
) -> ChatMessage:
    """The answer as it stands when the stream ends, with its thinking apart and its tool
    calls where they came (one still running when it ended is marked so)."""
    handler.finish()
    text, seconds = job.thinking()
    answer = job.text()
    thinking = None
    if text:
        ended = bool(answer) or status is Status.COMPLETE
        thinking = Thinking(text, seconds, ended=ended)
    steps = tuple(step.interrupted() for step in job.steps())
    return ChatMessage.assistant(
        answer, status=status, error=error, usage=usage, thinking=thinking, steps=steps
    )


def _finished(reply, settings: Settings, handler: JobTokenHandler, job: AnswerJob) -> ChatMessage:
    problem = finish_problem(
        reply.finish_reason, max_tokens=settings.max_tokens, base_url=settings.base_url
    )
    answered = job.text().strip()
    if problem is not None and problem.kind is ErrorKind.LENGTH_LIMIT and not answered:
        thought, _ = job.thinking()
        if thought or (reply.usage and reply.usage.reasoning_tokens):
            # Reasoning models count their thinking in max tokens: it all went there.
            problem = UserFacingError(ErrorKind.THOUGHT_TOO_LONG, dict(problem.details))
            return _ended(handler, job, status=Status.FAILED, error=problem, usage=reply.usage)
    if problem is not None and problem.kind is not ErrorKind.LENGTH_LIMIT:
        log.warning("answer failed (%s): the stream ended without a finish reason", problem.kind)
        status = Status.FAILED
    else:
        status = Status.COMPLETE
    return _ended(handler, job, status=status, error=problem, usage=reply.usage)
