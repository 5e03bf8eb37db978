"""The model's title, shown when it arrives.

The title is written in the background after the first answer that completes, and the
page is idle by then: a small fragment looks for it in the store for a while and, once
it has come, redraws the page (the sidebar's list and the heading). It costs nothing
once the title is there or the time is up: the page then draws no fragment.
"""

from __future__ import annotations

import time

import streamlit as st

from chat_core.answers.titles import first_words, title_due
from chat_core.conversation.conversation import Conversation
from chat_core.storage.message_rows import title_from
from components import state
from components.persistence import OwnerHistory

__all__ = ["LOOK_EVERY", "TITLE_WAIT", "watch_for_title"]

# A title takes a second or two; a reasoning model may think for a while first. Past
# the default request timeout (60 s) it has failed.
TITLE_WAIT = 60.0
LOOK_EVERY = 1.5  # seconds between looks: one indexed query each


def watch_for_title(
    history: OwnerHistory | None, conversation: Conversation, shown: str | None
) -> None:
    """Look for the model's title of ``conversation`` while one is awaited; ``shown`` is
    the title this run drew (None: none)."""
    key, conversation_id = conversation.key, conversation.id
    if history is None or conversation_id is None or title_due(conversation.tree) is not None:
        return  # nothing saved, or no answer completed yet (a failed one names nothing)
    deadline = state.title_deadline(key, TITLE_WAIT)
    if deadline is None:
        return
    words = first_words(conversation.tree)
    if shown != (title_from(words or "") or "…") or time.monotonic() > deadline:
        state.stop_awaiting_title(key)  # it has come (or the visitor renamed it), or too late
        return
    _look(history, conversation_id, key, shown, deadline)


@st.fragment(run_every=LOOK_EVERY)
def _look(
    history: OwnerHistory, conversation_id: str, key: str, shown: str, deadline: float
) -> None:
    """One look; the page is drawn again, without this fragment, once the title differs
    from the words shown or the time is up."""
    if time.monotonic() > deadline or history.title(conversation_id) not in (shown, None):
        state.stop_awaiting_title(key)
        st.rerun()
