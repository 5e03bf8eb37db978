"""The one owner of the ``st.session_state`` keys: each visitor's own conversation and choices."""

from __future__ import annotations

from typing import Any

import streamlit as st

from chat_core.messages import ChatMessage

__all__ = [
    "add_message",
    "history",
    "new_chat",
    "overrides",
    "widget_key",
]

_MESSAGES = "messages"
_OVERRIDES = "settings_overrides"


def history() -> list[ChatMessage]:
    """This session's conversation, oldest first."""
    return st.session_state.setdefault(_MESSAGES, [])


def add_message(message: ChatMessage) -> None:
    history().append(message)


def new_chat() -> None:
    """Start over; the visitor's settings are kept."""
    st.session_state[_MESSAGES] = []


def overrides() -> dict[str, Any]:
    """The visitor's sidebar choices (Settings field -> value), this session only.

    Kept apart from the widgets' own keys, which Streamlit drops whenever a page
    without those widgets runs.
    """
    return st.session_state.setdefault(_OVERRIDES, {})


def widget_key(name: str) -> str:
    """The session-state key of the sidebar widget for setting ``name``."""
    return f"sidebar_{name}"
