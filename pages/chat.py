"""The chat page: the conversation at the page's address, and the answer being written.

An answer is a job of the server (components/answers.py): this page starts it, or finds
it running after a refresh, and follows it; leaving the page leaves the job running.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NoReturn

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from chat_core.answers.job_limits import JobRefused
from chat_core.answers.jobs import AnswerJob
from chat_core.answers.redraw_pace import redraw_interval
from chat_core.answers.run import AnswerRequest
from chat_core.conversation.conversation import Conversation
from chat_core.conversation.messages import ChatMessage
from chat_core.errors import UserFacingError
from chat_core.limits import Settlement
from chat_core.prompt.turn_plan import TurnPlan, next_window_start, plan_turn
from components import addresses, state
from components.admission import admit, input_refusal
from components.answer_view import follow_answer
from components.answers import job_belongs_to, job_registry, start_answer
from components.chat_case import Asked, ChatCase, decide_case, followed_job
from components.chat_chrome import render_chrome
from components.chat_page import BranchMarks, ChatPage, PageAreas
from components.chat_view import (
    TURN_CHILDREN,
    branch_areas,
    last_question_index,
    render_history,
    render_show_earlier,
    turn_ranges,
)
from components.config import session_settings
from components.context import page_context
from components.delivery import wait_until_sent
from components.empty_page import render_empty_page
from components.jump_to_latest import jump_to_latest
from components.message_box import message_box, typed_question
from components.projects import current_project
from components.queue_view import render_queue
from components.run_turns import deferred, leave_turn, run_begins, take_turn
from components.sidebar import listed_models
from components.tools import render_tools_control, tool_plan
from components.user_servers import own_servers

# How long a run that followed an answer waits for its last words to be sent before it
# reruns (components/delivery.py); alone it is a few ms.
_LAST_WORDS_SENT_WITHIN = 2.0
# How long the rest of the page waits for the first words to be sent.
_FIRST_WORDS_SENT_WITHIN = 0.2


def main() -> None:
    with run_begins():  # opened by the entry file too, when Streamlit runs it
        run_chat_page()


def run_chat_page() -> None:
    context = page_context()
    conversation = context.conversation()
    addresses.follow_address(context, conversation)
    conversation.save_unsaved()  # what the store refused before, as soon as it takes it
    jobs = job_registry(context.configured)
    job = followed_job(context, conversation, jobs)
    settings = session_settings(context.configured)  # as the sidebar's widgets left them
    own = own_servers(context.history, settings)
    stop_area = st.bottom.container(horizontal=True, horizontal_alignment="right")
    with stop_area:
        render_tools_control(context.t, settings, own)
    prompt = message_box(context.t, conversation, settings)
    # Messages wait their turn in the order typed: while an answer is written, and behind
    # those typed before them. Nothing typed is lost.
    if (typed := typed_question(prompt, context.t, settings)) is not None:
        state.queue_question(conversation.key, typed)
    case, asked = decide_case(job, conversation, partial(Asked.take, conversation.key))
    # The branch is one container per turn (a question and what follows it), each in its
    # place from run to run. A run that answers draws the turn being answered first, so a
    # long conversation does not delay the first words, then everything else (``follow``):
    # what a run has not redrawn, Streamlit fades, and nothing must be left so.
    areas = PageAreas(stop_area, st.container(), st.container(), st.container())
    busy = case is ChatCase.FOLLOW or asked.anything
    project = current_project(context.history, conversation)
    page = ChatPage(context, conversation, settings, areas, jobs, busy, project, own)
    if case is ChatCase.FOLLOW:
        # Written now, perhaps since before a refresh: the messages before it, then the job.
        answer_turn(page, job, conversation.numbers.index(job.question))
    elif case is ChatCase.WRITTEN_ELSEWHERE:
        take_turn(urgent=False)  # a whole page, no first words to show
        draw_page(page)
        render_queue(conversation.key, context.t)  # what was typed meanwhile waits its turn
        addresses.wait_for_other_process(context, conversation)
    elif case is ChatCase.IDLE:
        take_turn(urgent=False)
        draw_page(page)
    else:
        answer_question(page, asked.question)


def branch_marks(page: ChatPage, sent_from: int | None = None) -> BranchMarks:
    """Where the window divider goes and what it says, and the branch's last question.
    ``sent_from``: where the turn's plan began the messages it sent (a question being
    answered); None: where those of the next question would begin."""
    settings, t, messages = page.settings, page.context.t, page.conversation.messages
    if sent_from is None:
        sent_from = next_window_start(messages, settings, language=page.context.language,
                                      project_instructions=page.project_instructions)  # fmt: skip
    if settings.history_fit:
        tokens = f"{settings.context_tokens:,}"
        divider = t("chat.fit_divider"), t("sidebar.history_fit_help", tokens=tokens)
    else:
        count = settings.history_window
        divider = t("chat.window_divider", count=count), t("chat.window_divider_help")
    return BranchMarks(sent_from, divider, last_question_index(messages))


def draw_turns(
    page: ChatPage,
    marks: BranchMarks,
    areas: list[DeltaGenerator],
    turns: list[range],
    *,
    live: bool,
    children: int = TURN_CHILDREN,
) -> None:
    """The messages of ``turns``, each turn into its own area."""
    for area, part in zip(areas, turns, strict=True):
        with area:
            render_history(
                page.conversation,
                page.context.t,
                prices=page.context.configured.prices,
                part=part,
                last_question=marks.last_question,
                sent_from=marks.sent_from,
                divider=marks.divider,
                live=live,
                children=children,
            )


def draw_top(page: ChatPage, top: DeltaGenerator, first: int, *, live: bool) -> None:
    """Above the turns: the empty page of a new chat, or the button to earlier messages.
    (Streamlit sends only the last of two deltas to one place in a batch: ``top`` is
    made a container only for the empty page, which was one before, so that an empty
    page left is replaced at once.)"""
    t = page.context.t
    if not page.conversation.messages:
        with top.container():
            render_empty_page(t, page.settings, listed_models(page.context.configured))
    else:
        with top:
            render_show_earlier(first, t, live=live)


def draw_chrome(page: ChatPage, *, idle: bool = False) -> None:
    """The sidebar, title and notices (``idle``: no answer is followed)."""
    areas = page.areas
    render_chrome(
        page.context,
        page.conversation,
        page.settings,
        title_area=areas.title,
        notices_area=areas.notices,
        busy=page.busy,
        idle=idle,
        project=page.project,
    )


def draw_page(page: ChatPage) -> None:
    """A run with no answer to follow: the whole page, every turn in its place."""
    draw_chrome(page, idle=True)
    messages = page.conversation.messages
    first = state.first_visible(len(messages))
    turns = turn_ranges(messages, first)
    with page.areas.branch:
        top, areas = branch_areas(len(turns))
    state.set_shown_branch(first, len(turns))
    draw_top(page, top, first, live=True)
    draw_turns(page, branch_marks(page), areas, turns, live=True)


def answer_turn(page: ChatPage, job: AnswerJob, index: int) -> None:
    """Follow ``job``'s answer to the question at ``index``, drawn first, under the turn
    before it; the rest of the page once the answer has begun. Where the messages shown
    moved (the first one drawn changed), the rest is drawn first, in one go."""
    first = state.first_visible(index + 2)  # as the page after this answer will have it
    turns = turn_ranges(page.conversation.messages[: index + 1], first)
    moved = state.shown_branch()[0] != first
    with page.areas.branch:
        top, areas = branch_areas(len(turns))
    state.set_shown_branch(first, len(turns))
    marks = branch_marks(page, job.sent_from)

    def draw_the_rest() -> None:
        with deferred():  # after other runs' first words
            draw_chrome(page)
            draw_turns(page, marks, areas[:-2], turns[:-2], live=False)

    def once_begun() -> None:
        # The first words go out before the rest is drawn: the server's event loop that
        # sends them shares the GIL with this very run's drawing.
        wait_until_sent(timeout=_FIRST_WORDS_SENT_WITHIN)
        draw_the_rest()

    if moved:
        draw_the_rest()
    # Above the question at once (a new chat's empty page goes), and the turn before it:
    # where the page showed that answer streaming, it is drawn whole now.
    draw_top(page, top, first, live=False)
    draw_turns(page, marks, areas[-2:-1], turns[-2:-1], live=False)
    with areas[-1]:  # the question, then the answer and the queue (TURN_CHILDREN)
        draw_turns(page, marks, areas[-1:], turns[-1:], live=False, children=TURN_CHILDREN - 2)
        follow(page, job, once_begun=(lambda: None) if moved else once_begun)


def answer_question(page: ChatPage, question: ChatMessage | None) -> None:
    """Answer ``question`` (added to the branch first), or with None the question a
    button left at the branch's end; the request goes out before anything is drawn."""
    conversation, settings, context = page.conversation, page.settings, page.context
    if question is not None:
        conversation.begin_turn(question, settings)
        conversation.add(question)
    elif (question := conversation.unanswered()) is None:  # a stale button: nothing to do
        draw_page(page)
        return
    else:
        conversation.begin_turn(question, settings)
    plan = plan_turn(conversation.messages[:-1], question, settings, language=context.language,
                     project_instructions=page.project_instructions)  # fmt: skip
    if isinstance(settlement := admitted(page, plan, question), UserFacingError):
        refuse(conversation, settlement)
    addresses.show_address(conversation)
    tools = tool_plan(settings, page.own_servers)
    request = AnswerRequest(plan, question, settings, context.language, tools=tools)
    started = start_answer(context, conversation, request, settlement)
    if isinstance(started, JobRefused):
        refuse(conversation, started.error())
    answer_turn(page, started, len(conversation.messages) - 1)


def admitted(page: ChatPage, plan: TurnPlan, question: ChatMessage) -> Settlement | UserFacingError:
    """The question counted against the limits, or why it may not be sent."""
    settings, context = page.settings, page.context
    return (
        input_refusal(question, settings)
        or plan.refusal
        or admit(
            plan.input_tokens, settings, identity=context.visitor.identity, store=context.store
        )
    )


def refuse(conversation: Conversation, error: UserFacingError) -> NoReturn:
    """Refused before any request; the question stays in the conversation, marked."""
    conversation.refuse(error)
    st.rerun()


def follow(page: ChatPage, job: AnswerJob, *, once_begun: Callable[[], None]) -> NoReturn:
    """Show the answer ``job`` writes until it ends, then the whole page again;
    ``once_begun`` draws the rest of the page once the answer has begun."""
    context, conversation, jobs = page.context, page.conversation, page.jobs
    leave_turn()  # from here the run mostly waits for the answer's next words
    answer_slot, queue_slot = st.container(), st.container()
    with queue_slot:  # below the answer, as they go after it
        render_queue(conversation.key, context.t)
    with answer_slot:
        jump_to_latest(context.t)
        ended = follow_answer(
            job,
            context.t,
            stop=partial(jobs.stop, conversation.key, job_belongs_to(context)),
            stop_area=page.areas.stop,
            batch_every=lambda: redraw_interval(jobs.streaming),
            once_begun=once_begun,
        )
    conversation.receive(ended.number, job.question, ended.answer, unsaved=ended.unsaved)
    wait_until_sent(timeout=_LAST_WORDS_SENT_WITHIN)  # else the rerun drops them unsent
    st.rerun()  # redraw from the history, with the sidebar and actions enabled again


if __name__ == "__main__":  # Streamlit runs a page as __main__, top to bottom
    main()
