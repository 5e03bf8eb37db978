"""One answer's life (chat_core/answers/lifecycle.py): started or refused, saved as it goes,
settled once, and the title after a first answer; through the real client and LangChain
against the scripted server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chat_core.answers.job_limits import JobRefusal, JobRefused
from chat_core.answers.jobs import AnswerJob, JobRegistry
from chat_core.answers.lifecycle import AnswerRun, start_run
from chat_core.answers.run import AnswerRequest
from chat_core.conversation.messages import ChatMessage, Status
from chat_core.limits import Limits, Request, Settlement, reserve
from chat_core.settings.settings import Settings
from tests.support.scripted_server import Reply
from tests.support.turns import plan
from tests.unit.answers.test_jobs import wait_until
from tests.unit.answers.test_titles import RecordingLedger


class Store:
    """An owner's history that remembers every save and rename; a number already taken is
    stored under the next one, as the store does for another tab's message."""

    def __init__(self, taken: int | None = None) -> None:
        self.puts: list[tuple[int, int | None, ChatMessage, bool]] = []
        self.renames: list[tuple[str, str | None]] = []
        self.taken = taken

    def put(self, conversation_id, number, parent, message, *, new=False):
        stored = number + 1 if number == self.taken else number
        self.puts.append((stored, parent, message, new))
        return stored

    def rename(self, conversation_id, title, *, only_if=None):
        self.renames.append((title, only_if))
        return True


@pytest.fixture
def settings(model_server) -> Settings:
    return Settings(api_key="test-key", base_url=model_server.base_url, model="scripted-small")


def _run(settings: Settings, ledger: RecordingLedger, **options) -> AnswerRun:
    question = ChatMessage.user("count")
    request = AnswerRequest(plan([], question, settings, "en"), question, settings, "en")
    counted = Request("alice", settings.model, request.plan.input_tokens, settings.max_tokens)
    settlement = reserve(ledger, counted, Limits(), datetime.now(UTC))
    assert isinstance(settlement, Settlement)
    return AnswerRun(request, settlement, question=0, ledger=ledger, **options)


def _start(registry: JobRegistry, run: AnswerRun, key: str = "c1") -> AnswerJob | JobRefused:
    return start_run(
        registry, run, key=key, belongs_to="alice", number=1, network=None, watcher=None
    )


def test_the_answer_is_saved_as_it_goes_and_settled_once_with_what_it_used(model_server, settings):
    model_server.queue(Reply.text("one two three four", tokens_per_second=8))
    ledger, store = RecordingLedger(), Store(taken=1)
    job = _start(JobRegistry(), _run(settings, ledger, store=store, conversation_id="c1"))
    ended = job.wait_ended(timeout=20)
    assert ended.status is Status.COMPLETE and ended.answer.content == "one two three four"
    # Another tab took number 1: the answer is stored as 2, and the pages are told so.
    assert ended.number == 2 and job.number == 2 and ended.unsaved is None
    numbers, first_new = [put[0] for put in store.puts], store.puts[0][3]
    assert numbers[-1] == 2 and first_new and not any(put[3] for put in store.puts[1:])
    assert [put[2].status for put in store.puts][-1] is Status.COMPLETE
    assert len(store.puts) >= 2  # a checkpoint while it streamed, then the answer
    assert ledger.settled == [ended.answer.usage]


def test_a_refused_start_settles_its_reservation_as_unsent(model_server, settings):
    ledger = RecordingLedger()
    registry = JobRegistry(per_owner=1)
    model_server.queue(Reply.text("slow " * 50, tokens_per_second=20))
    first = _start(registry, _run(settings, ledger), key="c1")
    refused = _start(registry, _run(settings, ledger), key="c2")
    assert refused == JobRefused(JobRefusal.OWNER, 1)
    assert [usage.total for usage in ledger.settled] == [0]  # only the refused one, so far
    registry.stop("c1", "alice")
    assert first.wait_ended(timeout=20) is not None and len(ledger.settled) == 2


def test_a_first_answer_that_completes_names_the_saved_conversation(model_server, settings):
    model_server.queue(Reply.text("Counting to four"), Reply.text("Counting"))
    ledger, store = RecordingLedger(), Store()
    run = _run(settings, ledger, store=store, conversation_id="c1", opening="count")
    _start(JobRegistry(), run).wait_ended(timeout=20)
    wait_until(lambda: store.renames)  # the title is written on a thread of its own
    assert store.renames == [("Counting", "count")]
    assert len(ledger.settled) == 2  # the answer's reservation, and the title's own
