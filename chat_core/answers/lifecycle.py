"""One answer from start to end, owned in one place: its job is started (or refused), it
saves its progress and its answer, settles its reservation once, and after a
conversation's first answer that completes, has the model write the title.

Everything here happens on the job's own thread, never on a page's: the page that
started the answer may be gone by the time it ends.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

from chat_core.answers.job_limits import JobRefused
from chat_core.answers.jobs import AnswerJob, JobRegistry
from chat_core.answers.run import AnswerRequest, CallRefused, write_answer
from chat_core.answers.titles import name_conversation
from chat_core.conversation.messages import ChatMessage, Status
from chat_core.limits import LimitReached, Limits, Request, Settlement, UsageLedger, refusal, spent
from chat_core.limits import reserve as reserve_request
from chat_core.usage.tokens import Usage

__all__ = ["AnswerRun", "AnswerStore", "start_run"]


class AnswerStore(Protocol):
    """Where a saved conversation's answer and title go (one owner's history)."""

    def put(
        self,
        conversation_id: str,
        number: int,
        parent: int | None,
        message: ChatMessage,
        *,
        new: bool = False,
    ) -> int | None: ...

    def rename(self, conversation_id: str, title: str, *, only_if: str | None = None) -> bool: ...


@dataclass
class AnswerRun:
    """What one answer needs from start to end, beside the job pages follow."""

    request: AnswerRequest
    settlement: Settlement
    question: int  # the number of the question it answers
    ledger: UsageLedger  # where the title's own request is counted
    store: AnswerStore | None = None  # None: the conversation is not saved
    conversation_id: str | None = None
    # The title the conversation must still have for the model's to replace it; None:
    # no title is due (an answer completed before, or titles are not written).
    opening: str | None = None
    # The model calls after the first of an answer that used tools, each reserved.
    more_calls: list[Settlement] = field(default_factory=list)

    def __call__(self, job: AnswerJob) -> ChatMessage:
        """The job's body: write the answer, saving as it goes, and end it."""
        return write_answer(
            job,
            self.request,
            checkpoint=lambda answer: self._save(job, answer),
            done=lambda answer: self._end(job, answer),
            reserve_call=self._reserve_call,
        )

    def _reserve_call(self, input_tokens: int) -> None:
        """Another model call of this answer, counted before it goes (its tokens against
        the day's limits; the answer was counted once against the minute's)."""
        first = self.settlement.request
        request = Request(first.identity, first.model, input_tokens, first.max_tokens)
        limits = replace(Limits.of(self.request.settings), messages_per_minute=0)
        outcome = reserve_request(self.ledger, request, limits, datetime.now(UTC))
        if isinstance(outcome, LimitReached):
            raise CallRefused(refusal(outcome))
        self.more_calls.append(outcome)

    def _settle(self, answer: ChatMessage) -> None:
        """Every call settled once: the answer's usage (all its calls together) split so
        that the total is exact: each later call its prompt, the first the rest."""
        total = spent(self.settlement.request, answer)
        later = 0
        for call in self.more_calls:
            prompt = min(call.request.input_tokens, max(0, total.input_tokens - later))
            later += prompt
            call.settle(Usage(prompt, 0, total.model, estimated=total.estimated))
        self.settlement.settle(replace(total, input_tokens=total.input_tokens - later))

    @property
    def saves(self) -> bool:
        """Whether the conversation is saved (else the answer lives in its pages only)."""
        return self.store is not None and self.conversation_id is not None

    def _save(self, job: AnswerJob, answer: ChatMessage) -> None:
        """Saved as the job's number, or the next free one if another tab took it (the
        job then carries that number, for the pages that receive its answer)."""
        if not self.saves:
            return
        stored = self.store.put(
            self.conversation_id, job.number, self.question, answer, new=not job.saved
        )
        job.record_save(stored)  # unsaved: the page that receives it saves it

    def _end(self, job: AnswerJob, answer: ChatMessage) -> None:
        self._save(job, answer)
        self._settle(answer)
        if self.opening is not None and answer.status is Status.COMPLETE and self.saves:
            threading.Thread(target=self._name, args=(answer,), name="title", daemon=True).start()

    def _name(self, answer: ChatMessage) -> None:
        """The conversation's title, written by the model in the background."""
        request, store, conversation_id = self.request, self.store, self.conversation_id
        name_conversation(
            request.settings,
            request.question,
            answer,
            language=request.language,
            identity=self.settlement.request.identity,
            ledger=self.ledger,
            rename=lambda title, only_if: store.rename(conversation_id, title, only_if=only_if),
            opening=self.opening,
        )


def start_run(
    registry: JobRegistry,
    run: AnswerRun,
    *,
    key: str,
    belongs_to: str,
    number: int,
    network: str | None,
    watcher: str | None,
) -> AnswerJob | JobRefused:
    """Start ``run`` as the job of conversation ``key``; refused, its reservation is
    settled as unsent at once (nothing was sent)."""
    started = registry.start(
        key,
        belongs_to,
        run,
        number=number,
        question=run.question,
        sent_from=run.request.plan.sent_from,
        network=network,
        watcher=watcher,
    )
    if isinstance(started, JobRefused):
        run.settlement.settle_unsent()
    return started
