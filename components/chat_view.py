"""Chat bubbles: the branch on screen, with each message's actions, and usage captions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from functools import partial

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from chat_core.conversation.conversation import Conversation
from chat_core.conversation.messages import ChatMessage, Status
from chat_core.conversation.tool_steps import text_around_steps
from chat_core.errors import ErrorKind
from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import display_markdown, display_question, escape_markdown
from chat_core.usage.prices import cost
from chat_core.usage.tokens import Usage
from components import actions, state
from components.attachments_view import render_attachments
from components.copy_button import copy_button
from components.message_actions import message_actions
from components.padding import draw_padded
from components.tool_steps_view import render_sources, render_step

__all__ = [
    "TURN_CHILDREN",
    "branch_areas",
    "conversation_usage",
    "last_question_index",
    "render_history",
    "render_message",
    "render_show_earlier",
    "turn_ranges",
]

log = logging.getLogger(__name__)


def usage_text(usage: Usage, t: Translator, prices: Mapping[str, tuple[float, float]]) -> str:
    text = t("usage.tokens", input=f"{usage.input_tokens:,}", output=f"{usage.output_tokens:,}")
    if usage.reasoning_tokens:
        text += t("usage.reasoning", tokens=f"{usage.reasoning_tokens:,}")
    dollars = cost(usage, prices)
    if dollars is not None:
        text += t("usage.cost", cost=f"{dollars:.4f}")
    if usage.estimated:
        text += t("usage.estimated")
    return text


def conversation_usage(
    history: Sequence[ChatMessage], t: Translator, prices: Mapping[str, tuple[float, float]]
) -> str | None:
    """The conversation's token total (and cost, where every answer has a price)."""
    usages = [m.usage for m in history if m.usage is not None]
    if not usages:
        return None
    tokens = sum(u.total for u in usages)
    costs = [cost(u, prices) for u in usages]
    text = t("usage.conversation", tokens=f"{tokens:,}")
    if all(c is not None for c in costs):
        text += t("usage.cost", cost=f"{sum(costs):.4f}")
    if any(u.estimated for u in usages):
        text += t("usage.estimated")
    return text


def _render_ending(message: ChatMessage, t: Translator) -> None:
    """The mark under a message that did not end normally."""
    if message.status is Status.STOPPED:
        st.caption(t("chat.stopped"))
    elif message.status is Status.KEPT:
        st.caption(t("chat.kept"))
    elif message.error is not None and message.error.kind is ErrorKind.LENGTH_LIMIT:
        st.caption(t.explain(message.error))
    elif message.status is Status.FAILED and message.error is not None:
        if message.content and not message.is_user:
            st.caption(t("chat.incomplete"))
        st.error(t.explain(message.error), icon=":material/error:")


def _render_editor(
    number: int, question: ChatMessage, conversation: Conversation, t: Translator
) -> None:
    """A question in an edit box: a form, so that Ctrl+Enter (Cmd+Enter) sends it, as
    the box's own hint says; Escape cancels. Each file can be kept or left out."""
    with st.chat_message("user"), st.form(f"question_editor_{number}", border=False):
        st.text_area(t("chat.edit_label"), key=state.EDIT_BOX, label_visibility="collapsed")
        for index, file in enumerate(question.attachments):
            if file.sent:
                st.checkbox(
                    t("chat.edit_keep_file", name=escape_markdown(file.name)),
                    value=True,
                    key=state.keep_file_key(index),
                )
        with st.container(horizontal=True, gap="small"):
            st.form_submit_button(
                t("chat.send_edit"),
                type="primary",
                on_click=actions.resend_edited,
                args=(conversation,),
            )
            st.form_submit_button(
                t("chat.cancel_edit"), on_click=actions.cancel_edit, shortcut="Esc"
            )
        st.caption(t("chat.edit_makes_version"))


def _render_thinking(message: ChatMessage, t: Translator) -> None:
    """The thoughts before an answer, folded, with a copy of their own."""
    thinking = message.thinking
    if not thinking.ended:
        label = t("thinking.cut")
    elif thinking.seconds is not None:
        label = t("thinking.done", seconds=max(1, round(thinking.seconds)))
    else:
        label = t("thinking.label")
    with st.expander(label, icon=":material/psychology:"):
        st.markdown(display_markdown(thinking.text, cut_note=t("chat.cut_note")))
        copy_button(thinking.text, message_id=f"{message.id}-thinking", t=t)
    if not message.content and message.status is not Status.STREAMING:
        st.caption(t("thinking.no_answer"))


def _render_answer_with_steps(message: ChatMessage, t: Translator) -> None:
    """The answer's text with its tool calls folded where they came in it."""
    pieces, rest = text_around_steps(message.content, message.steps)
    for before, step in pieces:
        _render_answer_text(before, t)
        render_step(step, t)
    _render_answer_text(rest, t)
    render_sources(message.steps, t)


def _render_answer_text(text: str, t: Translator) -> None:
    if text.strip():
        st.markdown(display_markdown(text, cut_note=t("chat.cut_note")))


def render_message(
    message: ChatMessage,
    t: Translator,
    *,
    buttons: Callable[[], None] | None = None,
    prices: Mapping[str, tuple[float, float]] | None = None,
) -> None:
    with st.chat_message(message.role.value):
        if message.thinking is not None:
            _render_thinking(message, t)
        if message.steps:
            _render_answer_with_steps(message, t)
        elif message.content:
            show = display_question if message.is_user else display_markdown
            st.markdown(show(message.content, cut_note=t("chat.cut_note")))
        if message.attachments:
            render_attachments(message.attachments, t)
        _render_ending(message, t)
        if message.usage is not None and prices is not None:
            st.caption(usage_text(message.usage, t, prices))
        if buttons is not None:
            buttons()


def turn_ranges(history: Sequence[ChatMessage], first: int) -> list[range]:
    """The turns from message ``first`` on: each question with what follows it (messages
    before the first question drawn make a turn of their own)."""
    starts = sorted({first} | {i for i, m in enumerate(history) if m.is_user and i >= first})
    ends = [*starts[1:], len(history)]
    return [range(start, end) for start, end in zip(starts, ends, strict=True) if start < end]


def branch_areas(turns: int) -> tuple[DeltaGenerator, list[DeltaGenerator]]:
    """A slot above the turns and one container per turn, in the places the page had
    them: a container drawn again keeps what it showed until it is redrawn, so a turn
    can be drawn before those above it without anything moving, and the places of turns
    no longer on the branch are emptied at once (else they would fade until the run ends)."""
    top = st.empty()
    areas = [st.container() for _ in range(turns)]
    for _ in range(turns, state.shown_branch()[1]):
        st.empty()
    return top, areas


def render_show_earlier(first: int, t: Translator, *, live: bool) -> None:
    """The button that draws the messages before ``first`` (none when it is 0)."""
    if first:
        st.button(
            t("chat.show_earlier", count=first),
            key="show_earlier",
            icon=":material/expand_less:",
            type="tertiary",
            on_click=state.show_earlier,
            disabled=not live,
        )


# What a turn's container holds: the divider's place, the question, its answer (or the
# answer being written) and one more (the queue while it is written). Fewer are padded
# with empty elements: a child a run does not draw again would linger, faded.
TURN_CHILDREN = 4


def last_question_index(history: Sequence[ChatMessage]) -> int | None:
    """The index of the branch's last question (None: it has none)."""
    return max((i for i, m in enumerate(history) if m.is_user), default=None)


def render_history(
    conversation: Conversation,
    t: Translator,
    *,
    prices: Mapping[str, tuple[float, float]],
    part: range,
    last_question: int | None,
    sent_from: int = 0,
    divider: tuple[str, str] = ("", ""),
    live: bool = True,
    children: int = TURN_CHILDREN,
) -> None:
    """Draw the messages of the branch at the indices ``part`` (one turn), each with its
    actions, and the ``divider`` (text, help) where the messages sent with the next one
    begin, ``sent_from``, in ``children`` elements at least. ``last_question`` is the
    branch's (``last_question_index``), worked out once for all its turns. ``live``
    False: an answer is being written below, so what would change the branch is shown
    disabled."""
    history, numbers = conversation.messages, conversation.numbers
    editing = state.editing() if live else None
    line = partial(_window_divider, *divider)
    drawn = [partial(_divider_place, line if part.start == sent_from > 0 else None)]
    for index in part:
        message, number = history[index], numbers[index]
        if index == sent_from and index > part.start:
            drawn.append(line)
        if number == editing and message.is_user:
            drawn.append(partial(_render_editor, number, message, conversation, t))
            continue
        buttons = partial(
            message_actions,
            message,
            number,
            conversation,
            t,
            last_question=index == last_question,
            last_answer=index == len(history) - 1 and not message.is_user,
            live=live,
        )
        drawn.append(partial(render_message, message, t, buttons=buttons, prices=prices))
    if history and sent_from == len(history) and part.stop == len(history):
        drawn.append(line)
    draw_padded(drawn, to=children)


def _divider_place(line: Callable[[], None] | None) -> None:
    """The turn's first element: the divider above its question, or nothing."""
    with st.empty():
        if line is not None:
            line()


def _window_divider(text: str, explained: str) -> None:
    """A thin line where the model stops seeing the conversation, and why."""
    with st.container(key="window_divider", gap=None):
        st.divider()
        st.caption(text, help=explained, text_alignment="center")
