"""The one owner of the ``st.session_state`` keys: each visitor's own conversation and choices."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import streamlit as st

from chat_core.messages import ChatMessage, Feedback, Rating, Status
from chat_core.settings import Settings
from chat_core.storage import StoredConversation
from chat_core.text import clean_user_text

if TYPE_CHECKING:
    from .persistence import Saver

__all__ = [
    "add_message",
    "begin_turn",
    "cancel_edit",
    "checkpoint",
    "comment_key",
    "comment_on_answer",
    "conversation_id",
    "editing",
    "feedback_key",
    "first_visible",
    "history",
    "keep_partial_answer",
    "legacy_history_claimed",
    "mark_legacy_history_claimed",
    "new_chat",
    "open_conversation",
    "overrides",
    "rate_answer",
    "resend_edited",
    "retry_last",
    "session_id",
    "show_earlier",
    "start_edit",
    "storage_failed",
    "take_resend",
    "use_saver",
    "widget_key",
]

_MESSAGES = "messages"
_OVERRIDES = "settings_overrides"
_RESEND = "resend_text"
_EDITING = "editing_last_message"
_VISIBLE = "visible_messages"
_CONVERSATION = "conversation_id"
_SAVER = "saver"
_STORAGE_FAILED = "storage_failed"
_SESSION_ID = "session_id"
_LEGACY_CLAIMED = "legacy_history_claimed"
# Only the latest messages are drawn on each run, so a long conversation does not
# slow every answer down; older ones are a click away.
VISIBLE_PAGE = 40
EDIT_BOX = "edit_box"
COMMENT_LENGTH = 2000


def session_id() -> str:
    """A random name for this browser session: whom limits count against when nothing
    else tells visitors apart (one per tab, never shared)."""
    return st.session_state.setdefault(_SESSION_ID, uuid.uuid4().hex)


def legacy_history_claimed() -> bool:
    return bool(st.session_state.get(_LEGACY_CLAIMED))


def mark_legacy_history_claimed() -> None:
    st.session_state[_LEGACY_CLAIMED] = True


def history() -> list[ChatMessage]:
    """This session's conversation, oldest first."""
    return st.session_state.setdefault(_MESSAGES, [])


def add_message(message: ChatMessage) -> None:
    messages = history()
    messages.append(message)
    _persist(len(messages) - 1, message)


def checkpoint(position: int, message: ChatMessage) -> None:
    """Save an answer still being written, so a crash keeps what was on screen."""
    _persist(position, message)


# Persistence: the page sets this session's saver on every run (None: session only).


def use_saver(saver: Saver | None) -> None:
    st.session_state[_SAVER] = saver


def _saver() -> Saver | None:
    return st.session_state.get(_SAVER)


def conversation_id() -> str | None:
    return st.session_state.get(_CONVERSATION)


def storage_failed() -> bool:
    return bool(st.session_state.get(_STORAGE_FAILED))


def _note(ok: bool) -> None:
    if not ok:
        st.session_state[_STORAGE_FAILED] = True


def _persist(position: int, message: ChatMessage) -> None:
    saver, current = _saver(), conversation_id()
    if saver is not None and current is not None:
        _note(saver.put(current, position, message))


def begin_turn(question: ChatMessage, settings: Settings) -> None:
    """Make sure the conversation exists in the store, with the settings of this turn."""
    saver = _saver()
    if saver is None:
        return
    current = conversation_id()
    if current is None:
        earlier = history()
        first = earlier[0] if earlier and earlier[0].is_user else question
        title = first.content or ", ".join(a.name for a in first.attachments)
        current = saver.start(title, settings)
        _note(current is not None)
        st.session_state[_CONVERSATION] = current
        # A conversation created late (the store failed before) starts with what came first.
        for position, message in enumerate(earlier):
            _persist(position, message)
    else:
        saver.save_settings(current, settings)


def open_conversation(conversation: StoredConversation) -> None:
    """Continue a stored conversation: its messages, and the settings it was held with."""
    st.session_state[_MESSAGES] = list(conversation.messages)
    st.session_state[_CONVERSATION] = conversation.id
    st.session_state.pop(_VISIBLE, None)
    cancel_edit()
    chosen = overrides()
    for name, value in conversation.settings.items():
        chosen[name] = value
        st.session_state.pop(widget_key(name), None)


def new_chat() -> None:
    """Start over; the visitor's settings are kept."""
    st.session_state[_MESSAGES] = []
    st.session_state.pop(_VISIBLE, None)
    st.session_state.pop(_CONVERSATION, None)
    cancel_edit()


def first_visible() -> int:
    """Index of the first message to draw."""
    return max(0, len(history()) - st.session_state.get(_VISIBLE, VISIBLE_PAGE))


def show_earlier() -> None:
    st.session_state[_VISIBLE] = st.session_state.get(_VISIBLE, VISIBLE_PAGE) + VISIBLE_PAGE


def _drop_last_turn() -> ChatMessage | None:
    """Remove the last answer (if any) and the question before it; return the question."""
    messages = history()
    if messages and not messages[-1].is_user:
        messages.pop()
    question = messages.pop() if messages and messages[-1].is_user else None
    saver, current = _saver(), conversation_id()
    if saver is not None and current is not None:
        _note(saver.truncate(current, len(messages)))
    return question


def _ask_again(text: str, question: ChatMessage | None) -> None:
    """Queue ``text`` for the next run, with the files of ``question`` that could be sent."""
    files = [a for a in question.attachments if a.sent] if question else []
    st.session_state[_RESEND] = ChatMessage.user(text, attachments=files)


def retry_last() -> None:
    """Ask the last question again (Retry, Regenerate); the next run streams the answer."""
    question = _drop_last_turn()
    if question is not None:
        _ask_again(question.content, question)


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
    text = clean_user_text(st.session_state.get(EDIT_BOX, ""))
    cancel_edit()
    question = next((m for m in reversed(history()) if m.is_user), None)
    if text or (question and any(a.sent for a in question.attachments)):
        _ask_again(text, _drop_last_turn())


def take_resend() -> ChatMessage | None:
    """The question a Retry or an edit asked for in this run, if any (once)."""
    return st.session_state.pop(_RESEND, None)


def keep_partial_answer() -> None:
    """The visitor keeps a failed answer's partial text: the model will see it too."""
    messages = history()
    if messages and messages[-1].status is Status.FAILED and not messages[-1].is_user:
        messages[-1] = replace(messages[-1], status=Status.KEPT)
        _persist(len(messages) - 1, messages[-1])


# Feedback: a thumbs widget and a comment box per answer, named by the message's id.


def feedback_key(message_id: str) -> str:
    return f"feedback_{message_id}"


def comment_key(message_id: str) -> str:
    return f"feedback_comment_{message_id}"


def _change_message(message_id: str, change) -> None:
    messages = history()
    for position, message in enumerate(messages):
        if message.id == message_id:
            messages[position] = change(message)
            _persist(position, messages[position])
            return


def rate_answer(message_id: str) -> None:
    """Store the thumbs the visitor chose (st.feedback: 1 up, 0 down, None cleared)."""
    value = st.session_state.get(feedback_key(message_id))
    rating = None if value is None else (Rating.UP if value == 1 else Rating.DOWN)

    def change(message: ChatMessage) -> ChatMessage:
        if rating is None:
            return replace(message, feedback=None)
        kept = message.feedback.comment if message.feedback and rating is Rating.DOWN else ""
        return replace(message, feedback=Feedback(rating, kept))

    _change_message(message_id, change)


def comment_on_answer(message_id: str) -> None:
    """Store the comment typed under a thumbs down."""
    comment = clean_user_text(st.session_state.get(comment_key(message_id), ""))
    feedback = Feedback(Rating.DOWN, comment[:COMMENT_LENGTH])
    _change_message(message_id, lambda message: replace(message, feedback=feedback))


def overrides() -> dict[str, Any]:
    """The visitor's sidebar choices (Settings field -> value), this session only.

    Kept apart from the widgets' own keys, which Streamlit drops whenever a page
    without those widgets runs.
    """
    return st.session_state.setdefault(_OVERRIDES, {})


def widget_key(name: str) -> str:
    """The session-state key of the sidebar widget for setting ``name``."""
    return f"sidebar_{name}"
