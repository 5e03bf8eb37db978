"""The chat page's message box, and the message typed into it in this run."""

from __future__ import annotations

import streamlit as st
from streamlit.elements.widgets.chat import ChatInputValue

from chat_core.conversation.conversation import Conversation
from chat_core.conversation.messages import ChatMessage
from chat_core.files.attachments import UPLOAD_LIMIT_MB, read_uploads
from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import clean_user_text
from chat_core.settings.settings import Settings
from components import state

__all__ = ["message_box", "typed_question"]


def message_box(
    t: Translator, conversation: Conversation, settings: Settings
) -> ChatInputValue | None:
    """The box, usable while an answer is written (what is sent then waits its turn)."""
    return st.chat_input(
        t("chat.input_placeholder"),
        key=state.CHAT_INPUT,
        submit_mode="submit",  # typing while an answer is written queues the message
        on_submit=state.guard_queue,  # ... up to state.QUEUE_LIMIT of them
        args=(conversation.key,),
        disabled=not settings.has_endpoint,
        accept_file="multiple",
        max_upload_size=UPLOAD_LIMIT_MB,
    )


def typed_question(
    prompt: ChatInputValue | None, t: Translator, settings: Settings
) -> ChatMessage | None:
    """The message typed in this run, with its files (read and checked)."""
    if prompt is None:
        return None
    text = clean_user_text(prompt.text or "")
    files = []
    if prompt.files:  # a long PDF takes a moment to read
        with st.spinner(t("attachment.reading")):
            files = read_uploads(prompt.files, text_budget=settings.max_attachment_chars)
    return ChatMessage.user(text, attachments=files) if text or files else None
