"""Answers as jobs: the registry without Streamlit, with a fake clock and scripted streams."""

from __future__ import annotations

import itertools
import threading

import pytest

from chat_core.answers.event_log import Cursor
from chat_core.answers.events import AnswerText
from chat_core.answers.job_limits import JobRefusal, JobRefused
from chat_core.answers.jobs import AnswerJob, JobRegistry, JobStopped, StopReason
from chat_core.answers.run import AnswerRequest, write_answer
from chat_core.conversation.messages import ChatMessage, Status
from chat_core.errors import ErrorKind
from chat_core.settings.settings import Settings
from tests.support.scripted_server import Reply
from tests.support.turns import plan


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Script:
    """A job body that writes the tokens it is given, then waits to be let finish."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def __call__(self, job: AnswerJob) -> ChatMessage:
        for token in ("Hello", ", ", "world"):
            job.emit(AnswerText(token))
        try:
            while not self.release.wait(0.01):
                if job.stop_reason is not None:
                    raise JobStopped(job.stop_reason)
        except JobStopped:
            return ChatMessage.assistant(job.text(), status=Status.STOPPED)
        return ChatMessage.assistant(job.text())


def wait_until(condition, timeout: float = 10.0) -> None:
    event = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        event.wait(0.01)
    raise AssertionError("condition not reached")


def text_since(job: AnswerJob, seen: int) -> str:
    """The answer's text a page that has read ``seen`` characters of it gets next."""
    news = job.follow(Cursor(0, seen), timeout=1)
    return "".join(event.text for event in news.events if isinstance(event, AnswerText))


def final(job: AnswerJob) -> ChatMessage:
    ended = job.wait_ended(timeout=10)
    assert ended is not None
    return ended.answer


def tidy(registry: JobRegistry) -> None:
    """The registry looks after its jobs whenever a page asks it for one."""
    registry.get("no such conversation", "nobody")


def request_for(question: ChatMessage, settings: Settings) -> AnswerRequest:
    return AnswerRequest(plan([], question, settings, "en"), question, settings, "en")


def test_a_page_attaching_late_gets_the_text_so_far_then_the_rest_once():
    registry = JobRegistry()
    script = Script()
    job = registry.start("c1", "alice", script, number=3, question=2)
    wait_until(lambda: job.text() == "Hello, world")
    # A page that attaches now (after a refresh) first sees everything written so far.
    again = registry.get("c1", "alice")
    assert again is job and (again.number, again.question) == (3, 2)
    assert text_since(again, 0) == "Hello, world"
    assert text_since(again, 5) == ", world"  # what a page has not seen yet
    assert text_since(again, 6) == " world"  # inside a piece, too
    script.release.set()
    answer = final(job)
    assert answer.content == "Hello, world" and answer.status is Status.COMPLETE
    assert job.ended is not None


def test_nobody_else_finds_or_stops_a_job():
    registry = JobRegistry()
    script = Script()
    job = registry.start("c1", "alice", script)
    assert registry.get("c1", "mallory") is None
    assert registry.stop("c1", "mallory") is False
    assert job.ended is None
    assert registry.stop("c1", "alice") is True
    answer = final(job)
    assert answer.status is Status.STOPPED and answer.content == "Hello, world"


def test_jobs_are_limited_per_owner_and_in_all_and_one_per_conversation():
    registry = JobRegistry(per_owner=2, total=3)
    scripts = [Script() for _ in range(5)]
    assert isinstance(registry.start("a1", "alice", scripts[0]), AnswerJob)
    assert registry.start("a1", "alice", scripts[1]) == JobRefused(JobRefusal.CONVERSATION, 1)
    assert isinstance(registry.start("a2", "alice", scripts[1]), AnswerJob)
    assert registry.start("a3", "alice", scripts[2]) == JobRefused(JobRefusal.OWNER, 2)
    assert isinstance(registry.start("b1", "bob", scripts[2]), AnswerJob)
    assert registry.start("c1", "carol", scripts[3]) == JobRefused(JobRefusal.TOTAL, 3)
    assert registry.streaming == 3  # refusals are not counted
    for script in scripts:
        script.release.set()
    wait_until(lambda: registry.streaming == 0)
    assert registry.streaming == 0
    assert isinstance(registry.start("c1", "carol", scripts[4]), AnswerJob)
    scripts[4].release.set()


def test_one_network_holds_at_most_its_share_and_other_visitors_are_still_served():
    """Tabs of one address are as many owners as they like: the network's share bounds
    them all together, leaving the rest of the process to everyone else."""
    registry = JobRegistry(per_owner=10, per_network=2, total=4)
    scripts = [Script() for _ in range(6)]
    for tab in range(2):
        started = registry.start(f"a{tab}", f"session:{tab}", scripts[tab], network="ip:a")
        assert isinstance(started, AnswerJob)
    assert registry.start("a2", "session:2", scripts[2], network="ip:a") == JobRefused(
        JobRefusal.NETWORK, 2
    )
    assert isinstance(registry.start("b0", "session:b", scripts[2], network="ip:b"), AnswerJob)
    assert isinstance(registry.start("local", "local", scripts[3], network=None), AnswerJob)
    assert registry.start("c0", "session:c", scripts[4], network="ip:c") == JobRefused(
        JobRefusal.TOTAL, 4
    )
    for script in scripts:
        script.release.set()
    wait_until(lambda: registry.streaming == 0)
    assert isinstance(registry.start("a2", "session:2", scripts[5], network="ip:a"), AnswerJob)


def test_the_network_of_a_visitor_is_their_address_their_64_or_one_for_the_unplaceable():
    import ipaddress

    from chat_core.identity import network_identity

    assert network_identity(ipaddress.ip_address("192.0.2.7")) == "ip:192.0.2.7"
    assert network_identity(ipaddress.ip_address("2001:db8:1:2::9")) == "ip:2001:db8:1:2::/64"
    # Tabs behind a proxy on this machine that is not trusted: each tab is its own
    # visitor for the limits, but together they are one network.
    assert network_identity(None) == network_identity(None) == "ip:unknown"


@pytest.mark.parametrize(
    ("refused", "words"),
    [
        (JobRefused(JobRefusal.OWNER, 2), "for you at once (at most 2)"),
        (
            JobRefused(JobRefusal.NETWORK, 16),
            "16 answers are already being written for visitors from",
        ),
        (JobRefused(JobRefusal.TOTAL, 64), "as many answers as it can at once (64, for everyone"),
        (JobRefused(JobRefusal.CONVERSATION, 1), "in this conversation is already being written"),
    ],
)
def test_a_refusal_names_what_is_full(refused, words):
    from chat_core.i18n import Translator

    for language in ("en", "ja"):
        assert Translator(language).explain(refused.error())
    assert words in Translator("en").explain(refused.error())


class Sessions:
    """Which browser sessions are connected, as Streamlit's runtime would say."""

    def __init__(self, *connected: str) -> None:
        self.connected = set(connected)

    def __call__(self, session: str) -> bool:
        return session in self.connected


def test_an_answer_nobody_can_see_is_stopped_once_its_last_session_is_gone():
    clock, sessions = Clock(), Sessions("tab", "tab-again")
    registry = JobRegistry(clock=clock, connected=sessions, abandon_after=15)
    job = registry.start("c1", "session:tab", Script(), watcher="tab")
    assert registry.get("c1", "session:tab", watcher="tab-again") is job  # a second page
    sessions.connected = {"tab-again"}
    clock.now += 60
    tidy(registry)
    assert job.stop_reason is None  # one page still shows it
    sessions.connected = set()
    clock.now += 10
    tidy(registry)
    sessions.connected = {"tab"}  # a reconnect within the time allowed
    clock.now += 10
    tidy(registry)
    assert job.stop_reason is None
    sessions.connected = set()
    clock.now += 16
    tidy(registry)
    assert job.stop_reason is StopReason.ABANDONED
    answer = final(job)
    assert answer.status is Status.STOPPED and answer.content == "Hello, world"


def test_a_saved_answer_runs_on_with_no_session_left():
    """Only an answer with a watcher (kept in its sessions alone) ends with them."""
    clock = Clock()
    registry = JobRegistry(clock=clock, connected=Sessions(), abandon_after=15)
    script = Script()
    job = registry.start("c1", "local", script)
    assert registry.get("c1", "local", watcher="tab") is job
    clock.now += 600
    tidy(registry)
    assert job.stop_reason is None and job.ended is None and job.watchers == set()
    script.release.set()


def test_the_watchdog_stops_an_abandoned_answer_with_no_page_asking():
    registry = JobRegistry(connected=Sessions(), abandon_after=0.2, watch_every=0.05)
    job = registry.start("c1", "session:tab", Script(), watcher="tab")
    assert final(job) is not None  # no get() or start() called
    assert job.stop_reason is StopReason.ABANDONED


def test_a_job_past_its_timeout_is_stopped_and_a_finished_one_forgotten_after_grace():
    clock = Clock()
    registry = JobRegistry(timeout=60, grace=30, clock=clock)
    job = registry.start("c1", "alice", Script())
    clock.now += 61
    tidy(registry)
    assert job.stop_reason is StopReason.TIMED_OUT
    wait_until(lambda: job.ended is not None)
    assert registry.get("c1", "alice") is job  # kept a while, for pages that attach after it
    clock.now += 31
    tidy(registry)
    assert registry.get("c1", "alice") is None


def test_shutdown_stops_every_running_job_so_each_saves_its_part():
    registry = JobRegistry()
    jobs = [registry.start(f"c{n}", f"owner{n}", Script()) for n in range(3)]
    registry.shutdown(wait=10)
    assert all(job.ended is not None for job in jobs)
    assert {job.stop_reason for job in jobs} == {StopReason.SHUTDOWN}


def test_a_job_whose_body_fails_still_ends():
    def broken(job: AnswerJob) -> ChatMessage:
        job.emit(AnswerText("partial"))
        raise RuntimeError("a bug")

    job = JobRegistry().start("c1", "alice", broken)
    answer = final(job)
    assert (answer.status, answer.error.kind, answer.content) == (
        Status.FAILED,
        ErrorKind.UNKNOWN,
        "partial",
    )


# The real model call, through the scripted server ----------------------------------------


@pytest.fixture
def settings(model_server) -> Settings:
    return Settings(api_key="test-key", base_url=model_server.base_url, model="scripted-small")


def test_an_answer_job_streams_checkpoints_and_saves_its_answer(model_server, settings):
    model_server.queue(Reply.text("one two three four five", tokens_per_second=20))
    saved: list[ChatMessage] = []
    checkpoints: list[ChatMessage] = []
    request = request_for(ChatMessage.user("count"), settings)
    registry = JobRegistry()
    job = registry.start(
        "c1",
        "alice",
        lambda job: write_answer(job, request, checkpoint=checkpoints.append, done=saved.append),
    )
    shown, texts, cursor = "", [], Cursor()
    while True:
        news = job.follow(cursor, timeout=10)  # only what came since
        cursor = news.cursor
        shown += "".join(event.text for event in news.events if isinstance(event, AnswerText))
        texts.append(shown)
        if news.ended is not None:
            break
    answer = news.ended.answer
    assert answer.content == shown == "one two three four five"
    assert answer.status is Status.COMPLETE and answer.usage is not None
    assert saved == [answer]
    assert len(texts) > 3 and all(b.startswith(a) for a, b in itertools.pairwise(texts))


def test_stop_ends_the_model_call_and_keeps_the_partial_answer(model_server, settings):
    model_server.queue(Reply.text("word " * 200, tokens_per_second=40))
    request = request_for(ChatMessage.user("long"), settings)
    saved: list[ChatMessage] = []
    registry = JobRegistry()
    job = registry.start("c1", "alice", lambda job: write_answer(job, request, done=saved.append))
    job.follow(Cursor(), timeout=10)
    registry.stop("c1", "alice")
    answer = final(job)
    assert answer.status is Status.STOPPED
    assert answer.content and answer.content != ("word " * 200)
    assert saved == [answer]


def test_a_failed_call_becomes_the_answers_error(model_server, settings):
    model_server.queue(Reply.failure(401, "bad key"))
    request = request_for(ChatMessage.user("hi"), settings)
    job = JobRegistry().start("c1", "alice", lambda job: write_answer(job, request))
    answer = final(job)
    assert answer.status is Status.FAILED and answer.error.kind is ErrorKind.AUTH


def test_what_the_splitter_held_back_is_placed_after_a_stop_too():
    """A stop must not strike again while the end of the stream is placed."""
    from chat_core.answers.run import JobTokenHandler, _ended

    job = AnswerJob(key="c1", belongs_to="alice", started_at=0.0)
    handler = JobTokenHandler(job)
    for token in ("<think>", "plan ", "more ", "</thi"):  # a closing tag half received
        handler.on_llm_new_token(token)
    job.stop()
    answer = _ended(handler, job, status=Status.STOPPED)
    assert answer.status is Status.STOPPED
    assert answer.thinking.text == "plan more </thi" and not answer.thinking.ended
