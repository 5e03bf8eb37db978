"""The one owner of the ``st.session_state`` keys: each visitor's own conversation and choices."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st

from chat_core.messages import ChatMessage, Status

__all__ = [
    "add_message",
    "cancel_edit",
    "editing",
    "first_visible",
    "history",
    "keep_partial_answer",
    "new_chat",
    "overrides",
    "resend_edited",
    "retry_last",
    "show_earlier",
    "start_edit",
    "take_resend",
    "widget_key",
]

_MESSAGES = "messages"
_OVERRIDES = "settings_overrides"
_RESEND = "resend_text"
_EDITING = "editing_last_message"
_VISIBLE = "visible_messages"
# Only the latest messages are drawn on each run, so a long conversation does not
# slow every answer down; older ones are a click away.
VISIBLE_PAGE = 40
EDIT_BOX = "edit_box"


def history() -> list[ChatMessage]:
    """This session's conversation, oldest first."""
    return st.session_state.setdefault(_MESSAGES, [])


def add_message(message: ChatMessage) -> None:
    history().append(message)


def new_chat() -> None:
    """Start over; the visitor's settings are kept."""
    st.session_state[_MESSAGES] = []
    st.session_state.pop(_VISIBLE, None)
    cancel_edit()


def first_visible() -> int:
    """Index of the first message to draw."""
    return max(0, len(history()) - st.session_state.get(_VISIBLE, VISIBLE_PAGE))


def show_earlier() -> None:
    st.session_state[_VISIBLE] = st.session_state.get(_VISIBLE, VISIBLE_PAGE) + VISIBLE_PAGE


def _drop_last_turn() -> str | None:
    """Remove the last answer (if any) and the question before it; return the question."""
    messages = history()
    if messages and not messages[-1].is_user:
        messages.pop()
    return messages.pop().content if messages and messages[-1].is_user else None


def retry_last() -> None:
    """Ask the last question again (Retry, Regenerate); the next run streams the answer."""
    question = _drop_last_turn()
    if question is not None:
        st.session_state[_RESEND] = question


def start_edit() -> None:
    st.session_state[_EDITING] = True
    last_question = next((m.content for m in reversed(history()) if m.is_user), "")
    st.session_state[EDIT_BOX] = last_question


def cancel_edit() -> None:
    st.session_state[_EDITING] = False


def editing() -> bool:
    return bool(st.session_state.get(_EDITING))


def resend_edited() -> None:
    """Replace the last question with the edited text and ask it instead."""
    text = st.session_state.get(EDIT_BOX, "")
    cancel_edit()
    if text.strip():
        _drop_last_turn()
        st.session_state[_RESEND] = text


def take_resend() -> str | None:
    """The question a Retry or an edit asked for in this run, if any (once)."""
    return st.session_state.pop(_RESEND, None)


def keep_partial_answer() -> None:
    """The visitor keeps a failed answer's partial text: the model will see it too."""
    messages = history()
    if messages and messages[-1].status is Status.FAILED and not messages[-1].is_user:
        messages[-1] = replace(messages[-1], status=Status.KEPT)


def overrides() -> dict[str, Any]:
    """The visitor's sidebar choices (Settings field -> value), this session only.

    Kept apart from the widgets' own keys, which Streamlit drops whenever a page
    without those widgets runs.
    """
    return st.session_state.setdefault(_OVERRIDES, {})


def widget_key(name: str) -> str:
    """The session-state key of the sidebar widget for setting ``name``."""
    return f"sidebar_{name}"
