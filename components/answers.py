"""Answers as jobs of this process: the registry, and starting one for a question."""

from __future__ import annotations

import atexit

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from chat_core.answers.job_limits import JobRefused
from chat_core.answers.jobs import AnswerJob, JobRegistry
from chat_core.answers.lifecycle import AnswerRun, start_run
from chat_core.answers.run import AnswerRequest
from chat_core.answers.titles import title_due, titles_written
from chat_core.conversation.conversation import Conversation
from chat_core.limits import Settlement
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
    """Start the job that answers the conversation's last question (its whole life is
    chat_core/answers/lifecycle.py). A title due is looked for by the page meanwhile
    (components/title_watch.py)."""
    history, conversation_id = context.history, conversation.id
    # None: an answer completed before this one, or no title is written at all.
    opening = title_due(conversation.tree) if titles_written(request.settings) else None
    if opening is not None and history is not None and conversation_id is not None:
        state.await_title(conversation.key)
    run = AnswerRun(
        request,
        settlement,
        question=conversation.numbers[-1],
        ledger=ledger(context.store),
        store=history,
        conversation_id=conversation_id,
        opening=opening,
    )
    return start_run(
        job_registry(context.configured),
        run,
        key=conversation.key,
        belongs_to=job_belongs_to(context),
        number=conversation.tree.next_number(),
        network=context.visitor.network,
        watcher=job_watcher(context),
    )
