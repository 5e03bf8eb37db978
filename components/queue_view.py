"""The messages waiting under the answer being written, each of which can be taken back."""

from __future__ import annotations

from functools import partial

import streamlit as st

from chat_core.conversation.messages import ChatMessage
from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import escape_markdown, one_line, shorten
from components import state
from components.padding import draw_padded

__all__ = ["render_queue"]


def render_queue(conversation_key: str, t: Translator) -> None:
    """The waiting messages, padded to the bound so that a row taken back does not
    linger, faded, while the answer streams; then the notice of a full queue, or its
    empty place."""
    waiting = state.queued_questions(conversation_key)
    rows = [partial(_render_waiting, message, conversation_key, t) for message in waiting]
    draw_padded(rows, to=state.QUEUE_LIMIT)
    refused = [partial(_render_refusal, t)] if state.take_queue_refusal() else []
    draw_padded(refused, to=1)


def _render_waiting(message: ChatMessage, conversation_key: str, t: Translator) -> None:
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        words = escape_markdown(shorten(one_line(message.content), 200))
        st.caption(t("chat.queued", text=words))
        st.button(
            t("chat.unqueue"),  # shown as the tooltip only (styles.py)
            key=f"unqueue_{message.id}",
            icon=":material/close:",
            type="tertiary",
            help=t("chat.unqueue"),
            on_click=state.drop_queued,
            args=(conversation_key, message.id),
        )


def _render_refusal(t: Translator) -> None:
    st.warning(t("chat.queue_full", limit=state.QUEUE_LIMIT), icon=":material/block:")
