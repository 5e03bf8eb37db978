"""One answer written by a job: the model call, its checkpoints, and how it ended."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler

from .chat import respond
from .errors import ErrorKind, UserFacingError, classify, finish_problem
from .jobs import AnswerJob, JobStopped, StopReason
from .llm import reporting_retries
from .messages import ChatMessage, Status
from .redact import redact
from .settings import Settings

__all__ = ["AnswerRequest", "JobTokenHandler", "write_answer"]

log = logging.getLogger(__name__)


class _StopIsNoError(logging.Filter):
    """LangChain logs every exception a callback raises as an error before raising it;
    a job told to stop is not one."""

    def filter(self, record: logging.LogRecord) -> bool:
        return JobStopped.__name__ not in record.getMessage()


logging.getLogger("langchain_core.callbacks.manager").addFilter(_StopIsNoError())

# How often the answer being written is saved: a crash loses at most this much, and a
# page in another process sees the answer grow at this pace.
CHECKPOINT_EVERY = 2.0


class JobTokenHandler(BaseCallbackHandler):
    """Receives the model's tokens (made fresh for each answer) and appends them to the job,
    whose buffer every page showing the conversation drains."""

    raise_error = True  # a stop signal ends the model call

    def __init__(
        self,
        job: AnswerJob,
        *,
        checkpoint: Callable[[str], None] | None = None,
        every: float = CHECKPOINT_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._job = job
        self._checkpoint = checkpoint
        self._every = every
        self._clock = clock
        self._last_checkpoint = clock()
        self.has_started = False

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        if not token:
            self._job.check()
            return
        self.has_started = True
        self._job.append(token)
        now = self._clock()
        if self._checkpoint is not None and now - self._last_checkpoint >= self._every:
            self._last_checkpoint = now
            self._checkpoint(self._job.progress().text)


@dataclass(frozen=True)
class AnswerRequest:
    history: Sequence[ChatMessage]  # everything before the question
    question: ChatMessage
    settings: Settings
    language: str


_STOPPED_AS = {
    StopReason.STOPPED.value: (Status.STOPPED, None),
    StopReason.TIMED_OUT.value: (Status.FAILED, ErrorKind.TIMEOUT),
    StopReason.SHUTDOWN.value: (Status.FAILED, ErrorKind.INTERRUPTED),
}


def write_answer(
    job: AnswerJob,
    request: AnswerRequest,
    *,
    checkpoint: Callable[[ChatMessage], None] | None = None,
    done: Callable[[ChatMessage], None] = lambda _: None,
) -> ChatMessage:
    """Ask the model, streaming into ``job``; return the answer however it ended.

    ``checkpoint`` receives the partial answer every few seconds; ``done`` the final
    one (to save it and settle its cost) before any page sees the job end.
    """
    settings = request.settings
    handler = JobTokenHandler(
        job,
        checkpoint=None
        if checkpoint is None
        else lambda text: checkpoint(ChatMessage.assistant(text, status=Status.STREAMING)),
    )
    attempts = iter(range(1, settings.max_retries + 1))

    def retrying(status: int) -> None:
        attempt = next(attempts, None)
        if attempt is not None and not handler.has_started:
            job.retry = (status, attempt, settings.max_retries)

    started_at = time.monotonic()
    try:
        with reporting_retries(retrying):
            reply = respond(
                request.history,
                request.question,
                settings,
                language=request.language,
                handler=handler,
            )
    except JobStopped as stop:
        status, kind = _STOPPED_AS[str(stop)]
        error = None if kind is None else UserFacingError(kind)
        answer = ChatMessage.assistant(job.progress().text, status=status, error=error)
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
        answer = ChatMessage.assistant(job.progress().text, status=Status.FAILED, error=error)
    else:
        answer = _finished(reply, settings)
    done(answer)
    return answer


def _finished(reply, settings: Settings) -> ChatMessage:
    problem = finish_problem(
        reply.finish_reason, max_tokens=settings.max_tokens, base_url=settings.base_url
    )
    if problem is not None and problem.kind is not ErrorKind.LENGTH_LIMIT:
        log.warning("answer failed (%s): the stream ended without a finish reason", problem.kind)
        status = Status.FAILED
    else:
        status = Status.COMPLETE
    return ChatMessage.assistant(reply.text, status=status, error=problem, usage=reply.usage)
