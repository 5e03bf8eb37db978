"""The one owner of the ``st.session_state`` keys: what each visitor's session keeps
between runs (their conversation's record, their choices) and the page's UI flags."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import streamlit as st

from chat_core.conversation.conversation import Conversation, ConversationRecord, Saver
from chat_core.conversation.messages import ChatMessage

__all__ = [
    "CHAT_INPUT",
    "EDIT_BOX",
    "QUEUE_LIMIT",
    "VISIBLE_PAGE",
    "address",
    "ask_again",
    "await_title",
    "cancel_edit",
    "choose",
    "comment_key",
    "conversation",
    "drop_queued",
    "editing",
    "feedback_key",
    "first_visible",
    "forget_address",
    "forget_choice",
    "forget_view",
    "guard_queue",
    "keep_file_key",
    "legacy_history_claimed",
    "mark_legacy_history_claimed",
    "overrides",
    "own_choices",
    "queue_question",
    "queued_questions",
    "session_id",
    "set_address",
    "set_shown_branch",
    "set_widget",
    "show_earlier",
    "shown_branch",
    "start_edit",
    "stop_awaiting_title",
    "take_ask_again",
    "take_question",
    "take_queue_refusal",
    "title_deadline",
    "widget_key",
    "widget_value",
]

_RECORD = "conversation"
_OVERRIDES = "settings_overrides"
_QUEUED = "queued_question"
_ASK_AGAIN = "ask_again"
_EDITING = "editing_question"
_KEEP_FILE = "edit_keep_file_"
_VISIBLE = "visible_messages"
_SESSION_ID = "session_id"
_LEGACY_CLAIMED = "legacy_history_claimed"
_TITLE_AWAITED = "title_awaited"
_OWN_CHOICES = "own_choices"
# Only the latest messages are drawn on each run, so a long conversation does not
# slow every answer down; older ones are a click away.
VISIBLE_PAGE = 40
_VISIBLE_STEP = 20
_SHOWN = "shown_branch"
EDIT_BOX = "edit_box"
CHAT_INPUT = "chat_input"
# Messages that may wait for the answer being written, in one conversation. Each is a
# row with its own button on every run, and every message typed is a run: unbounded, 500
# typed drew 125,000 rows (214 s of CPU); bounded, a run costs the same at any length.
QUEUE_LIMIT = 10
_QUEUE_REFUSED = "queue_refused"
_TEMPORARY = "temporary_chat"  # the chat on screen is never saved


def conversation(saver: Saver | None) -> Conversation:
    """This session's conversation, saving through ``saver`` (None: this tab only)."""
    return Conversation(st.session_state.setdefault(_RECORD, ConversationRecord()), saver)


def temporary() -> bool:
    """Whether the chat on screen is a temporary one: never saved, gone on refresh."""
    return bool(st.session_state.get(_TEMPORARY))


def set_temporary(on: bool) -> None:
    st.session_state[_TEMPORARY] = on


def session_id() -> str:
    """A random name for this browser session: whom limits count against when nothing
    else tells visitors apart (one per tab, never shared)."""
    return st.session_state.setdefault(_SESSION_ID, uuid.uuid4().hex)


def legacy_history_claimed() -> bool:
    return bool(st.session_state.get(_LEGACY_CLAIMED))


def mark_legacy_history_claimed() -> None:
    st.session_state[_LEGACY_CLAIMED] = True


# The page's address names the conversation shown: ?c=<id>.
_ADDRESS = "c"


def address() -> str | None:
    return st.query_params.get(_ADDRESS) or None


def set_address(conversation_id: str, *, tell_browser: bool = False) -> None:
    """Name the conversation in the address. ``tell_browser``: even when this run already
    has it, as after a link to the same page (Streamlit runs the page with the link's
    query but leaves the address bar as it was)."""
    if tell_browser or st.query_params.get(_ADDRESS) != conversation_id:
        st.query_params[_ADDRESS] = conversation_id


def forget_address() -> None:
    if _ADDRESS in st.query_params:
        del st.query_params[_ADDRESS]


# Messages typed while an answer is written wait their turn, in order; a button (Retry,
# Regenerate, Edit) asks the next run to answer the question that ends the branch.


def _waiting(conversation_key: str) -> list[ChatMessage]:
    """The messages waiting in conversation ``conversation_key``: each conversation has its
    own, so one typed in A is never sent in B if the visitor opens B meanwhile."""
    return st.session_state.setdefault(_QUEUED, {}).setdefault(conversation_key, [])


def queue_question(conversation_key: str, question: ChatMessage) -> None:
    _waiting(conversation_key).append(question)


def guard_queue(conversation_key: str) -> None:
    """The message box's ``on_submit``: a message that would wait behind ``QUEUE_LIMIT``
    others is not taken; its text goes back in the box (files cannot be put back)."""
    if len(_waiting(conversation_key)) < QUEUE_LIMIT:
        return
    submitted = st.session_state.get(CHAT_INPUT)
    if submitted is not None:  # a str, or with files allowed, a value with .text and .files
        text = submitted if isinstance(submitted, str) else submitted.text
        st.session_state[CHAT_INPUT] = text or ""  # shown in the box, not sent
        st.session_state[_QUEUE_REFUSED] = True


def take_queue_refusal() -> bool:
    """Whether a message was just refused for the full queue (once)."""
    return bool(st.session_state.pop(_QUEUE_REFUSED, False))


def queued_questions(conversation_key: str) -> list[ChatMessage]:
    return list(_waiting(conversation_key))


def take_question(conversation_key: str) -> ChatMessage | None:
    """The first message waiting its turn in that conversation, if any (once)."""
    waiting = _waiting(conversation_key)
    return waiting.pop(0) if waiting else None


def drop_queued(conversation_key: str, message_id: str) -> None:
    """The visitor takes back a message that was waiting its turn."""
    waiting = _waiting(conversation_key)
    waiting[:] = [m for m in waiting if m.id != message_id]


def ask_again() -> None:
    st.session_state[_ASK_AGAIN] = True


def take_ask_again() -> bool:
    """Whether a button asked for the question ending the branch to be answered (once)."""
    return bool(st.session_state.pop(_ASK_AGAIN, False))


# The model's title, written after a conversation's first completed answer: the page
# looks for it for a while (components/title_watch.py).


def await_title(conversation_key: str) -> None:
    """A title is to come once the answer now started completes: look for it then."""
    st.session_state.setdefault(_TITLE_AWAITED, {})[conversation_key] = None


def title_deadline(conversation_key: str, wait: float) -> float | None:
    """Until when (time.monotonic()) to look for the conversation's title, counted from
    the first time this is asked; None when no title is awaited."""
    awaited = st.session_state.get(_TITLE_AWAITED, {})
    if conversation_key not in awaited:
        return None
    if awaited[conversation_key] is None:
        awaited[conversation_key] = time.monotonic() + wait
    return awaited[conversation_key]


def stop_awaiting_title(conversation_key: str) -> None:
    st.session_state.get(_TITLE_AWAITED, {}).pop(conversation_key, None)


# UI flags.


def start_edit(number: int, text: str) -> None:
    """Open the edit box on question ``number``, holding ``text``; its files all kept."""
    st.session_state[_EDITING] = number
    st.session_state[EDIT_BOX] = text
    for key in [key for key in st.session_state if str(key).startswith(_KEEP_FILE)]:
        del st.session_state[key]


def cancel_edit() -> None:
    st.session_state[_EDITING] = None


def editing() -> int | None:
    """The number of the question whose edit box is open, if any."""
    return st.session_state.get(_EDITING)


def keep_file_key(index: int) -> str:
    """The edit box's checkbox keeping the question's file ``index``."""
    return f"{_KEEP_FILE}{index}"


def first_visible(count: int) -> int:
    """Index of the first of ``count`` messages to draw: at least the latest
    ``VISIBLE_PAGE``, from a multiple of ``_VISIBLE_STEP``, so that the turns keep their
    places on the page while a conversation grows (they move once every few turns)."""
    earliest = max(0, count - st.session_state.get(_VISIBLE, VISIBLE_PAGE))
    return earliest - earliest % _VISIBLE_STEP


def shown_branch() -> tuple[int, int]:
    """The first message and the number of turns the page showed at its last run."""
    return st.session_state.get(_SHOWN, (0, 0))


def set_shown_branch(first: int, turns: int) -> None:
    st.session_state[_SHOWN] = (first, turns)


def show_earlier() -> None:
    st.session_state[_VISIBLE] = st.session_state.get(_VISIBLE, VISIBLE_PAGE) + VISIBLE_PAGE


def forget_view() -> None:
    """Another conversation is shown: only its latest messages, no edit box open."""
    st.session_state.pop(_VISIBLE, None)
    cancel_edit()


# Feedback widgets, named by the message's id.


def feedback_key(message_id: str) -> str:
    return f"feedback_{message_id}"


def comment_key(message_id: str) -> str:
    return f"feedback_comment_{message_id}"


def overrides() -> dict[str, Any]:
    """The visitor's sidebar choices (Settings field -> value), this session only.

    Kept apart from the widgets' own keys, which Streamlit drops whenever a page
    without those widgets runs.
    """
    return st.session_state.setdefault(_OVERRIDES, {})


def own_choices(load: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The visitor's choices for all their chats (their model), which every new chat
    starts from: read with ``load`` once per session (their saved history keeps them
    beyond the tab), then kept here."""
    if _OWN_CHOICES not in st.session_state:
        st.session_state[_OWN_CHOICES] = dict(load())
    return st.session_state[_OWN_CHOICES]


def widget_key(name: str) -> str:
    """The session-state key of the sidebar widget for setting ``name``."""
    return f"sidebar_{name}"


def widget_value(key: str, default: Any = None) -> Any:
    """What the widget ``key`` holds (in a callback: its new value)."""
    return st.session_state.get(key, default)


def set_widget(key: str, value: Any) -> None:
    """Put ``value`` in the widget ``key`` (None: let the widget start from its default)."""
    if value is None:
        st.session_state.pop(key, None)
    else:
        st.session_state[key] = value


def forget_choice(name: str) -> None:
    """Back to the configured value for setting ``name``."""
    overrides().pop(name, None)
    set_widget(widget_key(name), None)


def choose(name: str, value: Any) -> None:
    """The visitor's choice for setting ``name``, shown by its sidebar widget from now on."""
    overrides()[name] = value
    set_widget(widget_key(name), None)
