"""Chat bubbles: the history as stored, and the answer as it streams."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from chat_core.chat import respond
from chat_core.errors import UserFacingError, classify
from chat_core.i18n import Translator
from chat_core.messages import ChatMessage, Status
from chat_core.settings import Settings
from chat_core.streaming import CURSOR, StreamingMarkdownHandler

__all__ = ["error_text", "render_history", "render_message", "stream_answer"]

log = logging.getLogger(__name__)


def error_text(error: UserFacingError, t: Translator) -> str:
    return t(f"error.{error.kind.value}", **error.details)


def _render_ending(message: ChatMessage, t: Translator) -> None:
    """The mark under an answer that did not end normally."""
    if message.status is Status.STOPPED:
        st.caption(t("chat.stopped"))
    elif message.status is Status.FAILED and message.error is not None:
        if message.content:
            st.caption(t("chat.incomplete"))
        st.error(error_text(message.error, t), icon=":material/error:")


def render_message(message: ChatMessage, t: Translator) -> None:
    with st.chat_message(message.role.value):
        if message.content:
            st.markdown(message.content)
        _render_ending(message, t)


def render_history(history: Sequence[ChatMessage], t: Translator) -> None:
    for message in history:
        render_message(message, t)


def stream_answer(
    history: Sequence[ChatMessage],
    user_text: str,
    settings: Settings,
    *,
    language: str,
    t: Translator,
    keep: Callable[[ChatMessage], None],
) -> None:
    """Stream the answer to ``user_text`` into a new assistant bubble, then ``keep`` it.

    The visitor keeps what they already saw, however the answer ends: the Stop
    button (or any other rerun) keeps the partial answer marked as stopped; a
    failure keeps it marked as incomplete, with the reason. The caller reruns the
    page afterwards, which draws the kept answer from the history.
    """
    with st.chat_message("assistant"):
        placeholder = st.empty()
        placeholder.markdown(CURSOR)
        # A click reruns the script, which interrupts the stream at its next token.
        st.button(t("chat.stop"), key="stop_answer", icon=":material/stop_circle:")
        handler = StreamingMarkdownHandler(placeholder)
        try:
            text = respond(history, user_text, settings, language=language, handler=handler)
        except ScriptControlException:
            keep(ChatMessage.assistant(handler.text, status=Status.STOPPED))
            raise
        except Exception as exc:  # every failure becomes a message in the page
            error = classify(exc, model=settings.model, base_url=settings.base_url)
            log.warning("answer failed: %s (%s)", error.kind.value, type(exc).__name__)
            keep(ChatMessage.assistant(handler.text, status=Status.FAILED, error=error))
        else:
            keep(ChatMessage.assistant(text))
