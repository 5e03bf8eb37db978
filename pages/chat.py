"""The chat page: the conversation at the page's address, and the answer being written.

An answer is a job of the server (components/answers.py): this page starts it, or finds
it running after a refresh, and follows it; leaving the page leaves the job running.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import streamlit as st

from chat_core.answering import AnswerRequest
from chat_core.attachments import UPLOAD_LIMIT_MB, read_uploads
from chat_core.chat import sent_start, too_long_to_send
from chat_core.errors import UserFacingError
from chat_core.jobs import AnswerJob, JobRefused
from chat_core.messages import ChatMessage
from chat_core.streaming import redraw_interval
from chat_core.text import clean_user_text, escape_markdown
from chat_core.tokens import Usage
from components import addresses, state
from components.admission import admit, input_refusal, ledger
from components.answer_view import follow_answer
from components.answers import job_owner, job_registry, job_watcher, start_answer
from components.chat_view import (
    TURN_CHILDREN,
    branch_areas,
    conversation_usage,
    last_question_index,
    render_history,
    render_show_earlier,
    turn_ranges,
)
from components.config import session_settings
from components.context import page_context
from components.empty_page import render_empty_page
from components.jump_to_latest import jump_to_latest
from components.persistence import database_lost
from components.queue_view import render_queue
from components.setup_notice import render_setup_notice
from components.sidebar import listed_models, render_sidebar
from components.title_watch import watch_for_title

context = page_context()
configured, t, language = context.configured, context.t, context.language
conversation = context.conversation()
addresses.follow_address(context, conversation)
conversation.save_unsaved()  # what the store refused before, as soon as it takes it
registry = job_registry(configured)
job = registry.get(conversation.key, job_owner(context), watcher=job_watcher(context))
if job is not None and not conversation.awaits(job.number, job.question):
    job = None  # its answer is on the page already, or the conversation moved on
elif job is not None and not job.running and conversation.loaded_since(job.finished_at):
    job = None  # it ended before the page read the conversation: nothing to take from it

settings = session_settings(configured)  # the sidebar's choices, as its widgets left them
# Stop, while an answer is written, sits above the message box, on its right.
stop_area = st.bottom.container(horizontal=True, horizontal_alignment="right")
prompt = st.chat_input(
    t("chat.input_placeholder"),
    key=state.CHAT_INPUT,
    submit_mode="submit",  # typing while an answer is written queues the message
    on_submit=state.guard_queue,  # ... up to state.QUEUE_LIMIT of them
    args=(conversation.key,),
    disabled=not settings.has_endpoint,
    accept_file="multiple",
    max_upload_size=UPLOAD_LIMIT_MB,
)


def typed_question() -> ChatMessage | None:
    """The message typed in this run, with its files (read and checked)."""
    if prompt is None:
        return None
    text = clean_user_text(prompt.text or "")
    files = []
    if prompt.files:  # a long PDF takes a moment to read
        with st.spinner(t("attachment.reading")):
            files = read_uploads(prompt.files, text_budget=settings.max_attachment_chars)
    return ChatMessage.user(text, attachments=files) if text or files else None


# Messages wait their turn in the order typed: while an answer is written, and behind
# those typed before them. Nothing typed is lost.
if (typed := typed_question()) is not None:
    state.queue_question(conversation.key, typed)
# An answer followed here (still written, or ended but not yet taken into the page)
# goes first: what waits is taken only by a run with no answer to follow.
answering_now = job is not None
question = None if answering_now else state.take_question(conversation.key)
asked_again = not answering_now and question is None and state.take_ask_again()


def draw_chrome(*, idle: bool = False) -> None:
    """The sidebar and the page's notices (``idle``: no answer is followed, so the
    model's title may still come). Nothing here is needed to answer, so a run that
    answers draws them once the answer has begun (``follow``)."""
    title = render_sidebar(
        configured,
        t,
        language=language,
        busy=question is not None or asked_again or answering_now,
        history=context.history,
        user=context.visitor.user,
        usage_total=conversation_usage(conversation.messages, t, configured.prices),
        conversation=conversation,
    )
    if title and conversation.messages:
        with title_area:
            st.markdown(f"#### {escape_markdown(title)}")  # a title is text, never Markdown
    if idle:  # no answer followed: the model's title may come
        watch_for_title(context.history, conversation, title)
    with notices_area:
        for problem in context.problems:
            name, value, expected = problem.name, problem.value, problem.expected
            st.warning(t("setup.bad_setting", name=name, value=value, expected=expected))
        if not settings.has_endpoint:
            render_setup_notice(t, offer_local_server=settings.base_url is None)
        if conversation.unsaved:
            st.warning(t("history.unsaved", count=conversation.unsaved), icon=":material/database:")
        elif (context.visitor.owner and context.store is None) or conversation.storage_failed:
            lost = database_lost(configured)
            st.warning(
                t("history.database_lost" if lost else "history.unavailable"),
                icon=":material/database:",
            )


# The branch is one container per turn (a question and what follows it), each in its
# place from run to run. A run that answers draws the turn being answered first, so a
# long conversation does not delay the first words, then everything else (``follow``):
# what a run has not redrawn, Streamlit fades, and nothing must be left so.
title_area, notices_area = st.container(), st.container()
branch_area = st.container()


def divider() -> tuple[str, str]:
    """What the line above the messages sent with the next question says, and why."""
    if settings.history_fit:
        tokens = f"{settings.context_tokens:,}"
        return t("chat.fit_divider"), t("sidebar.history_fit_help", tokens=tokens)
    count = settings.history_window
    return t("chat.window_divider", count=count), t("chat.window_divider_help")


def draw_turns(areas, turns: list[range], *, live: bool, children: int = TURN_CHILDREN) -> None:
    """The messages of ``turns``, each turn into its own area."""
    sent_from = sent_start(conversation.messages, settings, language=language)
    last_question = last_question_index(conversation.messages)
    for area, part in zip(areas, turns, strict=True):
        with area:
            render_history(
                conversation,
                t,
                prices=configured.prices,
                part=part,
                last_question=last_question,
                sent_from=sent_from,
                divider=divider(),
                live=live,
                children=children,
            )


def draw_top(top, first: int, *, live: bool) -> None:
    """Above the turns: the empty page of a new chat, or the button to earlier messages.
    (Streamlit sends only the last of two deltas to one place in a batch: ``top`` is
    made a container only for the empty page, which was one before, so that an empty
    page left is replaced at once.)"""
    if not conversation.messages:
        with top.container():
            render_empty_page(t, settings, listed_models(configured))
    else:
        with top:
            render_show_earlier(first, t, live=live)


def draw_page() -> None:
    """A run with no answer to follow: the whole page, every turn in its place."""
    draw_chrome(idle=True)
    first = state.first_visible(len(conversation.messages))
    turns = turn_ranges(conversation.messages, first)
    with branch_area:
        top, areas = branch_areas(len(turns))
    state.set_shown_branch(first, len(turns))
    draw_top(top, first, live=True)
    draw_turns(areas, turns, live=True)


def answer_turn(job: AnswerJob, index: int) -> None:
    """Follow ``job``'s answer to the question at ``index``, drawn first, under the turn
    before it; the rest of the page once the answer has begun. Where the messages shown
    moved (the first one drawn changed), the rest is drawn first, in one go."""
    first = state.first_visible(index + 2)  # as the page after this answer will have it
    turns = turn_ranges(conversation.messages[: index + 1], first)
    moved = state.shown_branch()[0] != first
    with branch_area:
        top, areas = branch_areas(len(turns))
    state.set_shown_branch(first, len(turns))

    def draw_the_rest() -> None:
        draw_chrome()
        draw_turns(areas[:-2], turns[:-2], live=False)

    if moved:
        draw_the_rest()
    # Above the question at once (a new chat's empty page goes), and the turn before it:
    # where the page showed that answer streaming, it is drawn whole now.
    draw_top(top, first, live=False)
    draw_turns(areas[-2:-1], turns[-2:-1], live=False)
    with areas[-1]:  # the question, then the answer and the queue (TURN_CHILDREN)
        draw_turns(areas[-1:], turns[-1:], live=False, children=TURN_CHILDREN - 2)
        follow(job, once_begun=(lambda: None) if moved else draw_the_rest)


def admitted(earlier: list[ChatMessage], question: ChatMessage):
    """The question counted against the limits, or why it may not be sent."""
    return (
        input_refusal(question, settings)
        or too_long_to_send(question, settings, language=language)
        or admit(
            earlier,
            question,
            settings,
            language=language,
            identity=context.visitor.identity,
            store=context.store,
        )
    )


def refuse(error: UserFacingError) -> NoReturn:
    """Refused before any request; the question stays in the conversation, marked."""
    conversation.refuse(error)
    st.rerun()


def answer_question(question: ChatMessage | None) -> None:
    """Answer ``question`` (added to the branch first), or with None the question a
    button left at the branch's end; the request goes out before anything is drawn."""
    if question is not None:
        conversation.begin_turn(question, settings)
        conversation.add(question)
    elif (question := conversation.unanswered()) is None:  # a stale button: nothing to do
        draw_page()
        return
    else:
        conversation.begin_turn(question, settings)
    earlier = conversation.messages[:-1]
    if isinstance(reservation := admitted(earlier, question), UserFacingError):
        refuse(reservation)
    addresses.show_address(conversation)
    request = AnswerRequest(earlier, question, settings, language)
    started = start_answer(context, conversation, request, reservation)
    if isinstance(started, JobRefused):
        ledger(context.store).settle(reservation, Usage(0, 0, settings.model, estimated=True))
        refuse(started.error())
    answer_turn(started, len(conversation.messages) - 1)


def follow(job: AnswerJob, *, once_begun: Callable[[], None]) -> None:
    """Show the answer ``job`` writes until it ends, then the whole page again;
    ``once_begun`` draws the rest of the page once the answer has begun."""
    answer_slot, queue_slot = st.container(), st.container()
    with queue_slot:  # below the answer, as they go after it
        render_queue(conversation.key, t)
    with answer_slot:
        jump_to_latest(t)
        answer = follow_answer(
            job,
            t,
            stop=lambda: registry.stop(conversation.key, job_owner(context)),
            stop_area=stop_area,
            batch_every=lambda: redraw_interval(registry.streaming),
            once_begun=once_begun,
        )
    conversation.receive(job.number, job.question, answer, unsaved=job.unsaved)
    st.rerun()  # redraw from the history, with the sidebar and actions enabled again


if job is not None:
    # Written now, perhaps since before a refresh: the messages before it, then the job.
    answer_turn(job, conversation.numbers.index(job.question))
elif addresses.written_elsewhere(conversation):
    draw_page()
    addresses.wait_for_other_process(context, conversation)
elif question is None and not asked_again:
    draw_page()
else:
    answer_question(question)
