"""Answers as jobs of this process: the registry, and starting one for a question."""

from __future__ import annotations

import atexit
import threading

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from chat_core.answers.job_limits import JobRefused
from chat_core.answers.jobs import AnswerJob, JobRegistry
from chat_core.answers.run import AnswerRequest, write_answer
from chat_core.answers.titles import name_conversation, title_due, titles_written
from chat_core.conversation.conversation import Conversation
from chat_core.conversation.messages import ChatMessage, Status
from chat_core.limits import Settlement, spent
from chat_core.settings.settings import Settings
from components import state
from components.admission import ledger
from components.context import PageContext

__all__ = ["job_belongs_to", "job_registry", "job_watcher", "start_answer"]


def _connected(session_id: str) -> bool:
    """Whether that browser session is connected now (Streamlit keeps a closed one a
    while for a reconnect, but it is not active). Without a runtime (AppTest), yes."""
    return not runtime.exists() or runtime.get_instance().is_active_session(session_id)


@st.cache_resource(show_spinner=False)
def _registry(per_owner: int, per_network: int, total: int, timeout: float) -> JobRegistry:
    registry = JobRegistry(
        per_owner=per_owner,
        per_network=per_network,
        total=total,
        timeout=timeout,
        connected=_connected,
    )
    atexit.register(registry.shutdown)
    return registry


def job_registry(settings: Settings) -> JobRegistry:
    """The answers being written in this process, shared by all its sessions (each job
    is found only by its owner). At exit, each saves what it wrote, marked interrupted."""
    per_network = settings.answers_per_address or max(1, settings.answers_total // 4)
    return _registry(
        settings.answers_per_user, per_network, settings.answers_total, settings.answer_timeout
    )


def job_belongs_to(context: PageContext) -> str:
    """Whose jobs a page may see and stop: the history's owner, else this visitor."""
    return context.visitor.owner or context.visitor.identity


def job_watcher(context: PageContext) -> str | None:
    """This browser session, when the answers it follows can be seen by nobody else:
    with no saved history, they end with its last session. None: they run on and save."""
    if context.history is not None:
        return None
    run = get_script_run_ctx()
    return run.session_id if run is not None else None


def start_answer(
    context: PageContext,
    conversation: Conversation,
    request: AnswerRequest,
    settlement: Settlement,
) -> AnswerJob | JobRefused:
    """Start the job that answers the conversation's last question.

    The job saves its progress and its answer, and settles the request's cost, by
    itself: the page that started it may be gone by then. A job refused settles it
    here, as unsent. After a conversation's first answer that completes, the model
    writes its title in the background (the page looks for it meanwhile:
    components/title_watch.py).
    """
    number, question = conversation.tree.next_number(), conversation.numbers[-1]
    history, conversation_id = context.history, conversation.id
    usage_ledger = ledger(context.store)
    # None: an answer completed before this one, or no title is written at all.
    opening = title_due(conversation.tree) if titles_written(request.settings) else None
    if opening is not None and history is not None and conversation_id is not None:
        state.await_title(conversation.key)
    saved = False

    def save(job: AnswerJob, answer: ChatMessage) -> None:
        """Saved as the job's number, or the next free one if another tab took it (the
        job then carries that number, for the pages that receive its answer)."""
        nonlocal saved
        if history is not None and conversation_id is not None:
            stored = history.put(conversation_id, job.number, question, answer, new=not saved)
            saved = saved or stored is not None
            job.record_save(stored)  # unsaved: the page saves it

    def done(job: AnswerJob, answer: ChatMessage) -> None:
        save(job, answer)
        settlement.settle(spent(settlement.request, answer))
        if opening is not None and answer.status is Status.COMPLETE and history and conversation_id:
            threading.Thread(target=name, args=(answer,), name="title", daemon=True).start()

    def name(answer: ChatMessage) -> None:
        """The conversation's title, written by the model in the background."""
        name_conversation(
            request.settings,
            request.question,
            answer,
            language=request.language,
            identity=settlement.request.identity,
            ledger=usage_ledger,
            rename=lambda title, only_if: history.rename(conversation_id, title, only_if=only_if),
            opening=opening,
        )

    started = job_registry(context.configured).start(
        conversation.key,
        job_belongs_to(context),
        lambda job: write_answer(
            job,
            request,
            checkpoint=lambda answer: save(job, answer),
            done=lambda answer: done(job, answer),
        ),
        number=number,
        question=question,
        sent_from=request.plan.sent_from,
        network=context.visitor.network,
        watcher=job_watcher(context),
    )
    if isinstance(started, JobRefused):
        settlement.settle_unsent()
    return started
