"""The row under a message: copy on every message, thumbs on every answer, and the
last turn's Retry / Regenerate / Keep / Edit."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from chat_core.conversation import COMMENT_LENGTH, Conversation
from chat_core.i18n import Translator
from chat_core.messages import ChatMessage, Rating, Status

from . import actions, state
from .copy_button import copy_button

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
    on_click: Callable[[Conversation], None],
    conversation: Conversation,
) -> None:
    """One of the last turn's actions: a quiet button that changes the conversation."""
    st.button(
        label,
        key=key,
        icon=f":material/{icon}:",
        type="tertiary",
        on_click=on_click,
        args=(conversation,),
    )


def _retry_buttons(message: ChatMessage, conversation: Conversation, t: Translator) -> None:
    failed = message.status is Status.FAILED
    label = t("chat.retry") if failed else t("chat.regenerate")
    _action(
        label,
        key="retry_last",
        icon="refresh",
        on_click=actions.retry_last,
        conversation=conversation,
    )
    if failed and message.content:
        _action(
            t("chat.keep"),
            key="keep_partial",
            icon="bookmark",
            on_click=actions.keep_partial_answer,
            conversation=conversation,
        )


def message_actions(
    message: ChatMessage,
    conversation: Conversation,
    t: Translator,
    *,
    last_question: bool,
    last_answer: bool,
) -> None:
    """The actions of one message of the history (none while an answer streams)."""
    answer = not message.is_user
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        if message.content:
            copy_button(message.content, message_id=message.id, t=t)
        if answer and message.content:
            _feedback(message, conversation)
        if answer and last_answer:
            _retry_buttons(message, conversation, t)
        if last_question:
            _action(
                t("chat.edit"),
                key="edit_last",
                icon="edit",
                on_click=actions.start_edit,
                conversation=conversation,
            )
    if answer and message.feedback is not None and message.feedback.rating is Rating.DOWN:
        _comment_box(message, conversation, t)
