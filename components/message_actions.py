"""The row under a message: its versions (< 2 / 3 >), copy, thumbs on every answer,
Regenerate on every answer and Edit on every question (labelled on the last turn,
icons above it), and Keep on a failed last answer."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from chat_core.conversation.conversation import COMMENT_LENGTH, Conversation
from chat_core.conversation.messages import ChatMessage, Rating, Status
from chat_core.i18n import Translator
from components import actions, state
from components.copy_button import copy_button

__all__ = ["message_actions"]


def _feedback(message: ChatMessage, conversation: Conversation) -> None:
    current = message.feedback
    st.feedback(
        "thumbs",
        key=state.feedback_key(message.id),
        default=None if current is None else int(current.rating is Rating.UP),
        on_change=actions.rate_answer,
        args=(conversation, message.id),
    )


def _comment_box(message: ChatMessage, conversation: Conversation, t: Translator) -> None:
    """Under a thumbs down: what was wrong, optionally."""
    st.text_input(
        t("feedback.comment_label"),
        value=message.feedback.comment,
        key=state.comment_key(message.id),
        placeholder=t("feedback.comment_placeholder"),
        max_chars=COMMENT_LENGTH,
        on_change=actions.comment_on_answer,
        args=(conversation, message.id),
    )
    if message.feedback.comment:
        st.caption(t("feedback.thanks"))


def _action(
    label: str,
    *,
    key: str,
    icon: str,
    on_click: Callable[..., None],
    args: tuple,
    quiet: bool = False,
    disabled: bool = False,
) -> None:
    """A quiet button that changes the conversation; ``quiet``: its icon only, the label
    as its tooltip and its name for screen readers (styles.py hides the words), on earlier
    messages, where a row of words would crowd the page."""
    st.button(
        label,
        key=key,
        icon=f":material/{icon}:",
        type="tertiary",
        help=label if quiet else None,
        on_click=on_click,
        args=args,
        disabled=disabled,
    )


def _versions(number: int, conversation: Conversation, t: Translator, *, live: bool) -> None:
    """``< 2 / 3 >``: the message's versions, one click from each other."""
    versions = conversation.versions(number)
    if versions.count < 2:
        return
    with st.container(horizontal=True, gap=None, width="content", vertical_alignment="center"):
        for offset, key, icon, label in (
            (-1, "older", "chevron_left", t("chat.previous_version")),
            (1, "newer", "chevron_right", t("chat.next_version")),
        ):
            if offset == 1:
                st.caption(f"{versions.index + 1} / {versions.count}")
            st.button(
                label,  # shown as the tooltip only (styles.py)
                key=f"{key}_{number}",
                icon=f":material/{icon}:",
                type="tertiary",
                help=label,
                disabled=not live or versions.step(offset) is None,
                on_click=actions.switch_version,
                args=(conversation, number, offset),
            )


def _answer_buttons(
    message: ChatMessage,
    number: int,
    conversation: Conversation,
    t: Translator,
    *,
    last: bool,
    live: bool,
) -> None:
    failed = message.status is Status.FAILED
    label = t("chat.retry") if failed else t("chat.regenerate")
    key = "retry_last" if last else f"regenerate_{number}"
    args = (conversation, number)
    quiet, disabled = not last, not live
    regenerate = actions.regenerate
    _action(
        label,
        key=key,
        icon="refresh",
        on_click=regenerate,
        args=args,
        quiet=quiet,
        disabled=disabled,
    )
    if last and failed and message.content:
        _action(
            t("chat.keep"),
            key="keep_partial",
            icon="bookmark",
            on_click=actions.keep_partial_answer,
            args=(conversation,),
            disabled=disabled,
        )


def message_actions(
    message: ChatMessage,
    number: int,
    conversation: Conversation,
    t: Translator,
    *,
    last_question: bool,
    last_answer: bool,
    live: bool = True,
) -> None:
    """The actions of one message of the history. ``live`` False (an answer is being
    written): what changes the branch is shown disabled, in its place, so that nothing
    moves or fades while the answer streams."""
    answer = not message.is_user
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        _versions(number, conversation, t, live=live)
        if message.content:
            copy_button(message.content, message_id=message.id, t=t)
        if answer and message.content:
            _feedback(message, conversation)
        if answer:
            _answer_buttons(message, number, conversation, t, last=last_answer, live=live)
        else:
            _action(
                t("chat.edit"),
                key="edit_last" if last_question else f"edit_{number}",
                icon="edit",
                on_click=actions.start_edit,
                args=(conversation, number),
                quiet=not last_question,
                disabled=not live,
            )
    if answer and message.feedback is not None and message.feedback.rating is Rating.DOWN:
        _comment_box(message, conversation, t)
