"""What the buttons under messages and in the sidebar do: widget callbacks that apply a
conversation's rules and set the page's flags. Each takes the run's conversation."""

from __future__ import annotations

from chat_core.conversation.conversation import Conversation
from chat_core.conversation.messages import Rating
from chat_core.markdown.visitor_text import clean_user_text
from chat_core.settings.presets import MANAGED
from chat_core.storage.store import StoredConversation
from components import state

__all__ = [
    "TEMPORARY_SWITCH",
    "cancel_edit",
    "comment_on_answer",
    "keep_partial_answer",
    "new_chat",
    "open_conversation",
    "rate_answer",
    "regenerate",
    "resend_edited",
    "start_edit",
    "switch_temporary",
    "switch_version",
]


def regenerate(conversation: Conversation, number: int) -> None:
    """Answer again the question answer ``number`` replies to (Retry, Regenerate); the
    earlier answer stays as a version. The next run streams the new one."""
    state.cancel_edit()
    if conversation.regenerate(number):
        state.ask_again()


def start_edit(conversation: Conversation, number: int) -> None:
    state.start_edit(number, conversation.tree.message(number).content)


def cancel_edit(_: Conversation | None = None) -> None:
    state.cancel_edit()


def resend_edited(conversation: Conversation) -> None:
    """Ask the edited question as a new version of the one in the edit box, with the
    files the visitor kept."""
    number = state.editing()
    state.cancel_edit()
    if number is None or number not in conversation.tree:
        return
    text = clean_user_text(state.widget_value(state.EDIT_BOX, ""))
    files = conversation.tree.message(number).attachments
    kept = tuple(
        file
        for index, file in enumerate(files)
        if state.widget_value(state.keep_file_key(index), True)
    )
    if conversation.edit(number, text, kept) is not None:
        state.ask_again()


def switch_version(conversation: Conversation, number: int, offset: int) -> None:
    """Show the previous (-1) or next (+1) version of message ``number``."""
    state.cancel_edit()
    conversation.switch(number, offset)


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


TEMPORARY_SWITCH = "temporary_switch"  # the sidebar's Temporary chat toggle


def new_chat(conversation: Conversation) -> None:
    """Start over from the defaults: what a preset, the sidebar or an opened conversation
    set for the last chat is forgotten. The visitor's own model (chosen for all their
    chats), key, server and language stay."""
    conversation.restart()
    state.forget_view()
    state.forget_address()
    for name in MANAGED:
        state.forget_choice(name)


def switch_temporary(conversation: Conversation) -> None:
    """Start a temporary chat (never saved), or leave one for a new chat that is saved:
    either way the chat on screen is left (a temporary one is gone)."""
    on = bool(state.widget_value(TEMPORARY_SWITCH))
    new_chat(conversation)
    state.set_temporary(on)


def open_conversation(conversation: Conversation, stored: StoredConversation) -> None:
    """Continue a stored conversation: its messages, and the settings it was held with."""
    state.set_temporary(False)
    conversation.resume(stored.id, *stored.versions(), stored.project_id)
    state.forget_view()
    for name, value in stored.settings.items():
        state.choose(name, value)
