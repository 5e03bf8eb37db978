"""Answers as jobs on the server: the model call runs on its own, and pages follow it.

An answer is a job keyed by its conversation. Its run emits events to the job's log
(chat_core/answers/event_log.py); a page that attaches (or attaches again after a refresh)
first gets what was written so far, then the new text as it comes, each character once.
Stop is a signal to the job from any page. When no page is left the job goes on and
saves what it wrote, unless nobody could ever see it (a conversation kept in its browser
sessions only, all of them gone). One registry per process; a visitor stays on that
process thanks to sticky sessions.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from enum import StrEnum

from chat_core.answers.event_log import AnswerLog, Cursor, News
from chat_core.answers.events import AnswerEvent, AnswerText, Ended, StepChanged, ThinkingText
from chat_core.answers.job_limits import JobLimits, JobRefusal, JobRefused
from chat_core.conversation.messages import ChatMessage, Status
from chat_core.conversation.tool_steps import ToolStep
from chat_core.errors import ErrorKind, UserFacingError

__all__ = ["AnswerJob", "JobRegistry", "JobStopped", "StopReason"]

log = logging.getLogger(__name__)


class StopReason(StrEnum):
    STOPPED = "stopped"  # a visitor pressed Stop
    TIMED_OUT = "timed_out"  # it ran longer than the registry allows
    SHUTDOWN = "shutdown"  # the server is stopping
    ABANDONED = "abandoned"  # nobody can see it any more: its session-only pages are gone


class JobStopped(Exception):  # noqa: N818 - a signal, raised inside the model call
    """Raised into the model call when the job is told to stop (Stop, timeout, shutdown)."""

    def __init__(self, reason: StopReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


class AnswerJob:
    """One answer being written: its log of events (the run writes, pages follow), who
    it belongs to, and whether it was told to stop. Thread-safe."""

    def __init__(
        self,
        *,
        key: str,
        belongs_to: str,
        started_at: float,
        network: str | None = None,
        watchers: set[str] | None = None,
        watched_at: float = 0.0,
        number: int = 0,
        question: int | None = None,
        sent_from: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.key = key
        self.belongs_to = belongs_to  # whose pages may follow and stop it (JobRegistry.get)
        self.started_at = started_at
        self.network = network  # whose share of the process it counts in (job_limits)
        # The browser sessions that can see it, when nobody else ever can (empty: any page
        # that opens the conversation later can); when none is left, it is stopped.
        self.watchers = watchers if watchers is not None else set()
        self.watched_at = watched_at  # when one of them was last seen connected
        self.question = question  # the number of the question it answers
        self.sent_from = sent_from  # where the messages sent with it begin (the divider)
        self._log = AnswerLog(clock)
        self._lock = threading.Lock()
        self._number = number  # the answer's number (once saved: the one the store gave)
        self._saved = False
        self._unsaved: bool | None = None
        self._stop: StopReason | None = None
        self._steps: dict[tuple[int, str], ToolStep] = {}  # as each is now, in order
        self._decisions: dict[str, bool] = {}  # call id -> Run (True) or Skip
        self._decided = threading.Condition(self._lock)

    def emit(self, event: AnswerEvent) -> None:
        """A new event of the run (text, thinking, a retry, a step); the end is :meth:`end`."""
        if isinstance(event, StepChanged):
            with self._lock:
                self._steps[(event.step.round, event.step.call_id)] = event.step
        self._log.emit(event)

    def steps(self) -> tuple[ToolStep, ...]:
        """Every tool call so far, each as it is now, in the order they began."""
        with self._lock:
            return tuple(self._steps.values())

    def decide(self, call_id: str, run: bool) -> None:
        """The visitor's Run (True) or Skip for a step that waits, from any page."""
        with self._decided:
            self._decisions.setdefault(call_id, run)
            self._decided.notify_all()

    def decision(self, call_id: str, timeout: float) -> bool | None:
        """Run or Skip for ``call_id`` once the visitor chose, or None after ``timeout`` s
        (or as soon as the job is told to stop)."""
        with self._decided:
            self._decided.wait_for(
                lambda: call_id in self._decisions or self._stop is not None, timeout=timeout
            )
            return self._decisions.get(call_id)

    def end(self, answer: ChatMessage) -> None:
        with self._lock:
            ended = Ended(answer, self._number, self._unsaved)
        self._log.emit(ended)

    def record_save(self, stored: int | None) -> None:
        """A save of the answer: stored under ``stored`` (perhaps not the number it was
        given, if another tab took that), or failed (None)."""
        with self._lock:
            if stored is not None:
                self._number, self._saved = stored, True
            self._unsaved = None if stored is not None else not self._saved

    @property
    def number(self) -> int:
        with self._lock:
            return self._number

    @property
    def saved(self) -> bool:
        """Whether a save of its answer (a checkpoint or the end) has been stored."""
        with self._lock:
            return self._saved

    def stop(self, reason: StopReason = StopReason.STOPPED) -> None:
        with self._decided:
            if self._stop is None and self._log.ended is None:
                self._stop = reason
                self._decided.notify_all()  # a step waiting for Run or Skip ends too

    @property
    def stop_reason(self) -> StopReason | None:
        """Why it was told to stop (its run raises :class:`JobStopped` at the next token)."""
        return self._stop

    @property
    def ended(self) -> Ended | None:
        return self._log.ended

    @property
    def ended_at(self) -> float | None:
        return self._log.ended_at

    def text(self) -> str:
        """The answer's text so far."""
        return self._log.text(AnswerText)

    def thinking(self) -> tuple[str, float | None]:
        """All the thinking so far, and for how long (None while still thinking)."""
        return self._log.text(ThinkingText), self._log.thought_for()

    def thought_for(self) -> float | None:
        return self._log.thought_for()

    def follow(self, cursor: Cursor, timeout: float) -> News:
        """The events after ``cursor``, once there are some, or after ``timeout`` s."""
        return self._log.follow(cursor, timeout)

    def wait_ended(self, timeout: float) -> Ended | None:
        """The end, once the run is over (None if it is not after ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        cursor = Cursor()
        while (ended := self.ended) is None and (left := deadline - time.monotonic()) > 0:
            cursor = self.follow(cursor, left).cursor
        return ended


class JobRegistry:
    """The jobs of this process: started, found, stopped, timed out and forgotten.

    ``run(job)`` writes the answer (emitting its events to the job) and returns the
    finished message; it runs on a thread of its own. A job running longer than ``timeout``
    seconds is told to stop; a finished one is forgotten ``grace`` seconds later. A
    watched job none of whose sessions has been ``connected`` for ``abandon_after``
    seconds is stopped (a reconnect within that time keeps it). While jobs run, a
    watchdog looks every ``watch_every`` seconds, so none of this waits for a page.
    """

    def __init__(
        self,
        *,
        per_owner: int = 2,
        per_network: int | None = None,
        total: int = 64,
        timeout: float = 900.0,
        grace: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
        spawn: Callable[[Callable[[], None], str], object] | None = None,
        connected: Callable[[str], bool] = lambda _session: True,
        abandon_after: float = 15.0,
        watch_every: float = 2.0,
    ) -> None:
        self._limits = JobLimits(per_owner=per_owner, per_network=per_network, total=total)
        self._timeout = timeout
        self._connected = connected
        self._abandon_after = abandon_after
        self._watch_every = watch_every
        self._watching = False
        self._closed = threading.Event()
        self._grace = grace
        self._clock = clock
        self._spawn = spawn or _thread
        self._jobs: dict[str, AnswerJob] = {}
        self._lock = threading.Lock()
        self._streaming = 0

    def start(
        self,
        key: str,
        belongs_to: str,
        run: Callable[[AnswerJob], ChatMessage],
        *,
        number: int = 0,
        question: int | None = None,
        sent_from: int | None = None,
        network: str | None = None,
        watcher: str | None = None,
    ) -> AnswerJob | JobRefused:
        """Start the answer for conversation ``key``, unless a limit says no.

        ``network``: the share it counts in (None: none); ``watcher``: the browser session
        that alone can see it (None: it runs to its end whoever is left).
        """
        with self._lock:
            self._tidy()
            previous = self._jobs.get(key)
            if previous is not None and previous.ended is None:
                return JobRefused(JobRefusal.CONVERSATION, 1)
            running = [job for job in self._jobs.values() if job.ended is None]
            refused = self._limits.refusal(running, belongs_to=belongs_to, network=network)
            if refused is not None:
                return refused
            job = AnswerJob(
                key=key,
                belongs_to=belongs_to,
                started_at=self._clock(),
                network=network,
                watchers={watcher} if watcher else set(),
                watched_at=self._clock(),
                number=number,
                question=question,
                sent_from=sent_from,
                clock=self._clock,
            )
            self._jobs[key] = job
            self._streaming += 1
            start_watchdog, self._watching = not self._watching, True
        self._spawn(lambda: self._run(job, run), f"answer-{key[:8]}")
        if start_watchdog:
            _thread(self._watch, "answer-watchdog")
        return job

    def _watch(self) -> None:
        """While answers are written, stop those past their time or seen by nobody."""
        while not self._closed.wait(self._watch_every):
            with self._lock:
                self._tidy()
                if all(job.ended is not None for job in self._jobs.values()):
                    self._watching = False
                    return

    def _run(self, job: AnswerJob, run: Callable[[AnswerJob], ChatMessage]) -> None:
        """Run the job; whatever happens, it ends (pages waiting on it must not hang)."""
        try:
            answer = run(job)
        except BaseException:
            log.exception("an answer job failed outside the model call")
            answer = ChatMessage.assistant(
                job.text(), status=Status.FAILED, error=UserFacingError(ErrorKind.UNKNOWN)
            )
        with self._lock:
            self._streaming -= 1
        job.end(answer)

    @property
    def streaming(self) -> int:
        """How many answers are being written now (read often, so counted, not searched)."""
        return self._streaming

    def get(self, key: str, belongs_to: str, *, watcher: str | None = None) -> AnswerJob | None:
        """The job of conversation ``key`` if it belongs to ``belongs_to`` (running or just
        ended); a watched job is watched by ``watcher`` from now on, too."""
        with self._lock:
            self._tidy()
            job = self._jobs.get(key)
            if job is None or job.belongs_to != belongs_to:
                return None
            if watcher and job.watchers:
                job.watchers.add(watcher)
        return job

    def stop(self, key: str, belongs_to: str) -> bool:
        """Stop, from any page that may see it: the run ends at its next token."""
        job = self.get(key, belongs_to)
        if job is None or job.ended is not None:
            return False
        job.stop()
        return True

    def shutdown(self, wait: float = 5.0) -> None:
        """Tell every running job to stop, so that each saves what it wrote."""
        self._closed.set()
        with self._lock:
            jobs = [job for job in self._jobs.values() if job.ended is None]
        for job in jobs:
            job.stop(StopReason.SHUTDOWN)
        deadline = time.monotonic() + wait
        for job in jobs:
            job.wait_ended(max(0.0, deadline - time.monotonic()))

    def _tidy(self) -> None:
        now = self._clock()
        for key, job in list(self._jobs.items()):
            running = job.ended is None
            if running and now - job.started_at > self._timeout:
                job.stop(StopReason.TIMED_OUT)
            elif running and job.watchers:
                self._look_for_watchers(job, now)
            elif not running and now - (job.ended_at or now) > self._grace:
                del self._jobs[key]

    def _look_for_watchers(self, job: AnswerJob, now: float) -> None:
        """Stop a job nobody can see: none of its sessions connected for a while."""
        if any(self._connected(session) for session in job.watchers):
            job.watched_at = now
        elif now - job.watched_at > self._abandon_after:
            job.stop(StopReason.ABANDONED)


def _thread(work: Callable[[], None], name: str) -> threading.Thread:
    thread = threading.Thread(target=work, name=name, daemon=True)
    thread.start()
    return thread
