"""The chat page: the conversation at the page's address, and the answer being written.

An answer is a job of the server (components/answers.py): this page starts it, or finds
it running after a refresh, and follows it; leaving the page leaves the job running.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from chat_core.answering import AnswerRequest
from chat_core.attachments import read_uploads
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.jobs import AnswerJob, JobRefused
from chat_core.messages import ChatMessage, Status
from chat_core.streaming import redraw_interval
from chat_core.text import clean_user_text, escape_markdown, one_line
from chat_core.tokens import Usage
from components import addresses, state
from components.admission import admit, input_refusal, ledger
from components.answer_view import follow_answer
from components.answers import job_owner, job_registry, start_answer
from components.attachments_view import attachment_rules
from components.chat_view import conversation_usage, render_history, render_message
from components.config import session_settings
from components.context import page_context
from components.persistence import database_lost
from components.setup_notice import render_setup_notice
from components.sidebar import listed_models, render_sidebar

context = page_context()
configured, t, language = context.configured, context.t, context.language
conversation = context.conversation()
addresses.follow_address(context, conversation)
registry = job_registry(configured)
job = registry.get(conversation.key, job_owner(context))
if job is not None and not conversation.awaits(job.position):
    job = None  # its answer is on the page already, or the conversation moved on

settings = session_settings(configured)  # the sidebar's choices, as its widgets left them
prompt = st.chat_input(
    t("chat.input_placeholder"),
    key="chat_input",
    submit_mode="submit",  # typing while an answer is written queues the message
    disabled=not settings.has_endpoint,
    accept_file="multiple",
)


def incoming_question() -> ChatMessage | None:
    """This run's question: typed (with its files, read and checked), or a Retry / Edit."""
    if prompt is None:
        return state.take_question()
    text = clean_user_text(prompt.text or "")
    files = []
    if prompt.files:  # a long PDF takes a moment to read
        with st.spinner(t("attachment.reading")):
            files = read_uploads(prompt.files, text_budget=settings.max_attachment_chars)
    return ChatMessage.user(text, attachments=files) if text or files else None


question = incoming_question()
if question is not None and job is not None and job.running:
    state.queue_question(question)  # the answer being written ends first; nothing is lost
    queued, question = question, None
else:
    queued = None


def draw_chrome(*, answering: bool = False) -> None:
    """The sidebar and the page's notices. Nothing here is needed to answer, so a run
    that answers draws them only once the request is on its way, and leaves the chat
    list and the title as the browser shows them (the run after the answer redraws them:
    every run with many visitors at once costs the same server)."""
    title = render_sidebar(
        configured,
        t,
        language=language,
        busy=question is not None or (job is not None and job.running),
        history=context.history,
        user=context.visitor.user,
        usage_total=conversation_usage(conversation.messages, t, configured.prices),
        conversation=conversation,
        list_conversations=not answering,
    )
    if title and conversation.messages:
        with title_area:
            st.markdown(f"#### {escape_markdown(title)}")  # a title is text, never Markdown
    with notices_area:
        for problem in context.problems:
            name, value, expected = problem.name, problem.value, problem.expected
            st.warning(t("setup.bad_setting", name=name, value=value, expected=expected))
        if not settings.has_endpoint:
            render_setup_notice(t, offer_local_server=settings.base_url is None)
        if (context.visitor.owner and context.store is None) or conversation.storage_failed:
            lost = database_lost(configured)
            st.warning(
                t("history.database_lost" if lost else "history.unavailable"),
                icon=":material/database:",
            )


# The page is always [history, turn]. A run that answers a message draws only the
# turn, so a long conversation does not delay the first token: the browser keeps
# showing the history it has until the rerun after the answer redraws it.
title_area, notices_area = st.container(), st.container()
history_area, turn_area = st.container(), st.container()


def draw_history() -> None:
    with history_area:
        if not conversation.messages:
            st.markdown(f"### {t('chat.empty_title')}")
            st.caption(t("chat.empty_caption", model=settings.model))
            models = listed_models(configured)
            if models and settings.model not in models:
                st.warning(t("chat.model_not_listed", model=settings.model), icon=":material/help:")
            st.caption(attachment_rules(t, text_budget=settings.max_attachment_chars))
        render_history(conversation, t, prices=configured.prices, window=settings.history_window)


def admitted(earlier: list[ChatMessage], question: ChatMessage):
    """The question counted against the limits, or why it may not be sent."""
    return input_refusal(question, settings) or admit(
        earlier,
        question,
        settings,
        language=language,
        identity=context.visitor.identity,
        store=context.store,
    )


def refuse(question: ChatMessage, error: UserFacingError) -> None:
    """Refused before any request; the question stays in the conversation, marked."""
    conversation.begin_turn(question, settings)
    conversation.add(replace(question, status=Status.FAILED, error=error))
    st.rerun()


def follow(job: AnswerJob) -> None:
    """Show the answer ``job`` writes until it ends, then the whole page again."""
    with turn_area:
        if queued is not None:
            st.caption(t("chat.queued", text=one_line(queued.content)[:200]))
        answer = follow_answer(
            job,
            t,
            stop=lambda: registry.stop(conversation.key, job_owner(context)),
            batch_every=lambda: redraw_interval(registry.streaming),
        )
    conversation.receive(job.position, answer)
    st.rerun()  # redraw from the history, with the sidebar and actions enabled again


if job is not None:
    # Written now, perhaps since before a refresh: the messages before it, then the job.
    del conversation.messages[job.position :]
    draw_chrome()
    draw_history()
    follow(job)
elif addresses.written_elsewhere(conversation):
    draw_chrome()
    draw_history()
    addresses.wait_for_other_process(context, conversation)
elif question is None:
    draw_chrome()
    draw_history()
elif isinstance(reservation := admitted(list(conversation.messages), question), UserFacingError):
    refuse(question, reservation)
else:
    request = AnswerRequest(list(conversation.messages), question, settings, language)
    conversation.begin_turn(question, settings)
    conversation.add(question)
    addresses.show_address(conversation)
    started = start_answer(context, conversation, request, reservation)
    if isinstance(started, JobRefused):
        ledger(context.store).settle(reservation, Usage(0, 0, settings.model, estimated=True))
        conversation.messages.pop()
        refuse(question, UserFacingError(ErrorKind.TOO_MANY_ANSWERS, {"limit": str(started.limit)}))
    draw_chrome(answering=True)
    with turn_area:
        render_message(question, t)
    follow(started)
