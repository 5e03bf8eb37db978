"""What the buttons under messages and in the sidebar do: widget callbacks that apply a
conversation's rules and set the page's flags. Each takes the run's conversation."""

from __future__ import annotations

from chat_core.conversation import Conversation
from chat_core.messages import Rating
from chat_core.storage import StoredConversation
from chat_core.text import clean_user_text

from . import state

__all__ = [
    "cancel_edit",
    "comment_on_answer",
    "keep_partial_answer",
    "new_chat",
    "open_conversation",
    "rate_answer",
    "resend_edited",
    "retry_last",
    "start_edit",
]


def retry_last(conversation: Conversation) -> None:
    """Ask the last question again (Retry, Regenerate); the next run streams the answer."""
    question = conversation.retry_last()
    if question is not None:
        state.queue_question(question)


def start_edit(conversation: Conversation) -> None:
    question = conversation.last_question()
    state.start_edit(question.content if question else "")


def cancel_edit(_: Conversation | None = None) -> None:
    state.cancel_edit()


def resend_edited(conversation: Conversation) -> None:
    """Replace the last question with the edited text and ask it instead."""
    text = clean_user_text(state.widget_value(state.EDIT_BOX, ""))
    state.cancel_edit()
    question = conversation.edit_last(text)
    if question is not None:
        state.queue_question(question)


def keep_partial_answer(conversation: Conversation) -> None:
    conversation.keep_partial_answer()


def rate_answer(conversation: Conversation, message_id: str) -> None:
    """Store the thumbs the visitor chose (st.feedback: 1 up, 0 down, None cleared)."""
    value = state.widget_value(state.feedback_key(message_id))
    conversation.rate(
        message_id, None if value is None else (Rating.UP if value == 1 else Rating.DOWN)
    )


def comment_on_answer(conversation: Conversation, message_id: str) -> None:
    """Store the comment typed under a thumbs down."""
    comment = clean_user_text(state.widget_value(state.comment_key(message_id), ""))
    conversation.comment(message_id, comment)


def new_chat(conversation: Conversation) -> None:
    """Start over; the visitor's settings are kept."""
    conversation.restart()
    state.forget_view()
    state.forget_address()


def open_conversation(conversation: Conversation, stored: StoredConversation) -> None:
    """Continue a stored conversation: its messages, and the settings it was held with."""
    conversation.resume(stored.id, stored.messages)
    state.forget_view()
    for name, value in stored.settings.items():
        state.choose(name, value)
