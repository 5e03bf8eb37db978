"""Every saved conversation has an address: the chat page's ``?c=<id>``.

Refresh, Back and Forward, a bookmark or the same address in another tab of the same
owner show that conversation; an address of a conversation that is not the visitor's,
or does not exist, shows "not found" and nothing else.
"""

from __future__ import annotations

import streamlit as st

from chat_core.conversation.conversation import Conversation
from chat_core.conversation.messages import Status
from components import actions, state
from components.context import PageContext

__all__ = ["follow_address", "show_address", "wait_for_other_process", "written_elsewhere"]

# How often a page asks the database about an answer another process is writing.
_POLL_SECONDS = 2


def follow_address(context: PageContext, conversation: Conversation) -> None:
    """Show the conversation the address names, or keep the address on the one shown."""
    wanted = state.address()
    if not wanted:
        show_address(conversation)  # e.g. back from History through the menu
        return
    if wanted == conversation.id:
        return
    stored = context.history.load(wanted) if context.history is not None else None
    if stored is None:
        st.error(context.t("chat.not_found"), icon=":material/search_off:")
        actions.new_chat(conversation)
        return
    actions.open_conversation(conversation, stored)
    state.set_address(stored.id, tell_browser=True)


def show_address(conversation: Conversation) -> None:
    """Put the conversation's address in the address bar (once it is saved)."""
    if conversation.id is not None:
        state.set_address(conversation.id)


def written_elsewhere(conversation: Conversation) -> bool:
    """Whether its last answer is being written by another process (saved moments ago)."""
    messages = conversation.messages
    return bool(messages) and messages[-1].status is Status.STREAMING


def wait_for_other_process(context: PageContext, conversation: Conversation) -> None:
    """Say the answer is still being written, and take it when it is saved."""

    @st.fragment(run_every=_POLL_SECONDS)
    def poll() -> None:
        st.caption(context.t("chat.written_elsewhere"))
        stored = context.history.load(conversation.id) if context.history else None
        if stored is None or not stored.messages:
            return
        last, shown = stored.messages[-1], conversation.messages[-1]
        if last.status is not Status.STREAMING or last.content != shown.content:
            conversation.resume(stored.id, *stored.versions())  # done, or further along
            st.rerun(scope="app")

    poll()
