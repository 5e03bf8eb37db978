"""Answers as jobs on the server: the model call runs on its own, and pages follow it.

An answer is a job keyed by its conversation. Every token is appended to the job;
a page that attaches (or attaches again after a refresh) first gets the text so far,
then the new text as it comes, each character once. Stop is a signal to the job from
any page. When no page is left the job goes on and saves what it wrote, unless nobody
could ever see it (a conversation kept in its browser sessions only, all of them gone).
One registry per process; a visitor stays on that process thanks to sticky sessions.
"""

from __future__ import annotations

import logging
import threading
import time
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import ErrorKind, UserFacingError
from .job_limits import JobLimits, JobRefused
from .messages import ChatMessage, Status

__all__ = [
    "AnswerJob",
    "JobLimits",
    "JobRefused",
    "JobRegistry",
    "JobStopped",
    "Progress",
    "StopReason",
]

log = logging.getLogger(__name__)


class JobStopped(Exception):  # noqa: N818 - a signal, raised inside the model call
    """Raised into the model call when the job is told to stop (Stop, timeout, shutdown)."""


class StopReason(StrEnum):
    STOPPED = "stopped"  # a visitor pressed Stop
    TIMED_OUT = "timed_out"  # it ran longer than the registry allows
    SHUTDOWN = "shutdown"  # the server is stopping
    ABANDONED = "abandoned"  # nobody can see it any more: its session-only pages are gone


@dataclass(frozen=True)
class Progress:
    """What a page draws: new thinking and answer text, and the answer once the job ended."""

    text: str  # the answer's text after what the page had seen (all of it from 0)
    final: ChatMessage | None  # None while the job runs
    thinking: str = ""  # the thinking's text after what the page had seen
    thought_for: float | None = None  # seconds the model thought, once it began to answer

    @property
    def done(self) -> bool:
        return self.final is not None


class _Text:
    """A growing text kept as its pieces, so a reader copies only what it has not seen."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._ends: list[int] = []  # the text's length after each piece
        self.length = 0

    def add(self, piece: str) -> None:
        self._parts.append(piece)
        self.length += len(piece)
        self._ends.append(self.length)

    def since(self, seen: int) -> str:
        first = bisect_right(self._ends, seen)
        start = self._ends[first - 1] if first else 0
        return "".join(self._parts[first:])[seen - start :]


@dataclass
class AnswerJob:
    """One answer being written; thread-safe, appended to by the job, read by pages.

    A thinking model's thoughts come first, in a stream of their own.
    """

    key: str
    owner: str
    started_at: float
    network: str | None = None  # whose share of the process it counts in (job_limits)
    # The browser sessions that can see it, when nobody else ever can (empty: any page
    # that opens the conversation later can); when none is left, it is stopped.
    watchers: set[str] = field(default_factory=set)
    watched_at: float = 0.0  # when one of them was last seen connected
    number: int = 0  # the answer's number (once saved: the one the store gave it)
    question: int | None = None  # the number of the question it answers
    # Its last save failed: True while its answer was never stored, False once it was.
    unsaved: bool | None = None
    # (status, attempt, attempts allowed) while the server is being retried
    retry: tuple[int, int, int] | None = None
    clock: Callable[[], float] = time.monotonic
    _answer: _Text = field(default_factory=_Text)
    _thinking: _Text = field(default_factory=_Text)
    _thinking_since: float | None = None
    _thought_for: float | None = None
    _final: ChatMessage | None = None
    _finished_at: float | None = None
    _stop: StopReason | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def append(self, text: str, *, check: bool = True) -> None:
        """A new piece of the answer (from the callback handler); raises if told to stop,
        unless ``check`` is off (what was held back, placed once the stream ended)."""
        with self._changed:
            if check:
                self.check()
            if text:
                if self._thinking_since is not None and self._thought_for is None:
                    self._thought_for = self.clock() - self._thinking_since
                self._answer.add(text)
                self._changed.notify_all()

    def append_thinking(self, text: str, *, check: bool = True) -> None:
        """A new piece of the model's thinking; raises if told to stop (as append)."""
        with self._changed:
            if check:
                self.check()
            if text:
                if self._thinking_since is None:
                    self._thinking_since = self.clock()
                self._thinking.add(text)
                self._changed.notify_all()

    def check(self) -> None:
        """Raise :class:`JobStopped` if the job was told to stop."""
        if self._stop is not None:
            raise JobStopped(self._stop.value)

    def finish(self, answer: ChatMessage, now: float) -> None:
        with self._changed:
            self._final = answer
            self._finished_at = now
            self._changed.notify_all()

    def stop(self, reason: StopReason = StopReason.STOPPED) -> None:
        with self._changed:
            if self._stop is None and self._final is None:
                self._stop = reason
                self._changed.notify_all()

    @property
    def stop_reason(self) -> StopReason | None:
        return self._stop

    @property
    def running(self) -> bool:
        return self._final is None

    @property
    def finished_at(self) -> float | None:
        return self._finished_at

    def thought(self) -> tuple[str, float | None]:
        """All the thinking so far, and for how long (None while still thinking)."""
        with self._changed:
            seconds = self._thought_for
            if seconds is None and self._thinking_since is not None and self._final is not None:
                seconds = (self._finished_at or self.clock()) - self._thinking_since
            return self._thinking.since(0), seconds

    def progress(self) -> Progress:
        return self.wait(0, 0.0)

    def wait(self, seen: int, timeout: float, *, seen_thinking: int = 0) -> Progress:
        """The text after the first ``seen`` characters (and the thinking after the first
        ``seen_thinking``), once there is some or the job ended, or after ``timeout``
        seconds, whichever comes first.

        Only the new text is copied, so following an answer costs time linear in its length.
        """
        with self._changed:
            self._changed.wait_for(
                lambda: (
                    self._answer.length > seen
                    or self._thinking.length > seen_thinking
                    or self._final is not None
                ),
                timeout=timeout,
            )
            return Progress(
                self._answer.since(seen),
                self._final,
                self._thinking.since(seen_thinking),
                self._thought_for,
            )


class JobRegistry:
    """The jobs of this process: started, found, stopped, timed out and forgotten.

    ``run(job)`` writes the answer (appending to the job) and returns the finished
    message; it runs on a thread of its own. A job running longer than ``timeout``
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
        owner: str,
        run: Callable[[AnswerJob], ChatMessage],
        *,
        number: int = 0,
        question: int | None = None,
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
            if previous is not None and previous.running:
                return JobRefused("conversation", 1)
            running = [job for job in self._jobs.values() if job.running]
            refused = self._limits.refusal(running, owner=owner, network=network)
            if refused is not None:
                return refused
            job = AnswerJob(
                key=key,
                owner=owner,
                started_at=self._clock(),
                network=network,
                watchers={watcher} if watcher else set(),
                watched_at=self._clock(),
                number=number,
                question=question,
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
                if not any(job.running for job in self._jobs.values()):
                    self._watching = False
                    return

    def _run(self, job: AnswerJob, run: Callable[[AnswerJob], ChatMessage]) -> None:
        """Run the job; whatever happens, it ends (pages waiting on it must not hang)."""
        try:
            answer = run(job)
        except BaseException:
            log.exception("an answer job failed outside the model call")
            answer = ChatMessage.assistant(
                job.progress().text, status=Status.FAILED, error=UserFacingError(ErrorKind.UNKNOWN)
            )
        with self._lock:
            self._streaming -= 1
        job.finish(answer, self._clock())

    @property
    def streaming(self) -> int:
        """How many answers are being written now (read often, so counted, not searched)."""
        return self._streaming

    def get(self, key: str, owner: str, *, watcher: str | None = None) -> AnswerJob | None:
        """The job of conversation ``key`` if it is ``owner``'s (running or just ended);
        a watched job is watched by ``watcher`` from now on, too."""
        with self._lock:
            self._tidy()
            job = self._jobs.get(key)
            if job is None or job.owner != owner:
                return None
            if watcher and job.watchers:
                job.watchers.add(watcher)
        return job

    def stop(self, key: str, owner: str) -> bool:
        job = self.get(key, owner)
        if job is None or not job.running:
            return False
        job.stop()
        return True

    def running(self) -> int:
        with self._lock:
            return sum(job.running for job in self._jobs.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)

    def tidy(self) -> None:
        with self._lock:
            self._tidy()

    def shutdown(self, wait: float = 5.0) -> None:
        """Tell every running job to stop, so that each saves what it wrote."""
        self._closed.set()
        with self._lock:
            jobs = [job for job in self._jobs.values() if job.running]
        for job in jobs:
            job.stop(StopReason.SHUTDOWN)
        deadline = time.monotonic() + wait
        for job in jobs:
            job.wait(seen=10**12, timeout=max(0.0, deadline - time.monotonic()))

    def _tidy(self) -> None:
        now = self._clock()
        for key, job in list(self._jobs.items()):
            if job.running and now - job.started_at > self._timeout:
                job.stop(StopReason.TIMED_OUT)
            elif job.running and job.watchers:
                self._look_for_watchers(job, now)
            elif not job.running and now - (job.finished_at or now) > self._grace:
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
