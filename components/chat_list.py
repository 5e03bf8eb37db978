"""The chat list in the sidebar: the owner's conversations by day, each a link to its
address, with pin, rename and delete. The History page stays for search, export and
everything older than the list shows."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from chat_core.conversation.chat_list_groups import group_by_day
from chat_core.conversation.conversation import Conversation
from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import escape_markdown, shorten
from chat_core.storage.listing import ConversationSummary
from components import actions
from components.dates import visitor_zone
from components.persistence import OwnerHistory
from components.projects import move_form
from components.share import forget_made_link, share_form

__all__ = ["render_chat_list"]

# The newest this many (and every pinned one); older ones are on the History page. Every
# run draws the list, so it stays short.
LISTED = 20
_TITLE_SHOWN = 42
_ACTION = "chat_list_action"  # ("rename" | "share" | "delete", conversation id): a dialog
CHAT_PAGE = "pages/chat.py"
HISTORY_PAGE = "pages/history.py"


def render_chat_list(
    history: OwnerHistory | None,
    conversation: Conversation,
    t: Translator,
    *,
    sharing: bool = False,
) -> str | None:
    """Draw the list; return the current conversation's title, if it is listed."""
    if history is None:
        return None
    listed = history.recent(LISTED)
    if not listed:
        return None
    zone = visitor_zone()
    today = datetime.now(zone).date()
    with st.container(key="chat_list", gap=None):
        for group, items in group_by_day(listed, today=today, zone=zone):
            st.caption(t(f"chat_list.{group}"))
            for item in items:
                _row(item, history, t, current=item.id == conversation.id, sharing=sharing)
        if len(listed) >= LISTED:
            st.page_link(HISTORY_PAGE, label=t("chat_list.all"), icon=":material/history:")
        _open_dialog(history, conversation, t, listed)
    return next((item.title for item in listed if item.id == conversation.id), None)


def _shown_title(title: str) -> str:
    return escape_markdown(shorten(title, _TITLE_SHOWN))  # a title is text, never Markdown


def _row(
    item: ConversationSummary,
    history: OwnerHistory,
    t: Translator,
    *,
    current: bool,
    sharing: bool,
) -> None:
    key = f"chat_row_{'current' if current else 'other'}_{item.id}"
    with st.container(horizontal=True, vertical_alignment="center", gap=None, key=key):
        st.page_link(
            CHAT_PAGE,
            label=_shown_title(item.title),
            query_params={"c": item.id},
            icon=":material/push_pin:" if item.pinned else None,
            width="stretch",
        )
        offered = t("chat_list.actions_share" if sharing else "chat_list.actions")
        menu = st.popover(
            offered,  # its name for screen readers; shown as the tooltip only (styles.py)
            icon=":material/more_horiz:",
            type="tertiary",
            help=offered,
            key=f"menu_{item.id}",
            on_change="rerun",
        )
        if menu.open:  # its buttons are drawn only while it is open: every run draws the list
            _menu(menu, item, history, t, sharing=sharing)


def _menu(
    menu, item: ConversationSummary, history: OwnerHistory, t: Translator, *, sharing: bool
) -> None:
    with menu:
        st.button(
            t("chat_list.unpin" if item.pinned else "chat_list.pin"),
            key=f"pin_{item.id}",
            icon=":material/push_pin:",
            on_click=_pin,
            args=(history, item.id, not item.pinned, t),
            type="tertiary",
        )
        actions_offered = [("rename", ":material/edit:"), ("move", ":material/drive_file_move:"),
                           ("delete", ":material/delete:")]  # fmt: skip
        if sharing:
            actions_offered.insert(0, ("share", ":material/share:"))
        for action, icon in actions_offered:
            st.button(
                t("projects.move_chat" if action == "move" else f"history.{action}"),
                key=f"{action}_{item.id}",
                icon=icon,
                on_click=_ask,
                args=(action, item.id),
                type="tertiary",
            )


def _failed(t: Translator) -> None:
    st.toast(t("history.unavailable"), icon=":material/database:")


def _close_menu(conversation_id: str) -> None:
    st.session_state[f"menu_{conversation_id}"] = False


def _pin(history: OwnerHistory, conversation_id: str, pinned: bool, t: Translator) -> None:
    _close_menu(conversation_id)
    if not history.pin(conversation_id, pinned):
        _failed(t)


def _ask(action: str, conversation_id: str) -> None:
    _close_menu(conversation_id)
    st.session_state[_ACTION] = (action, conversation_id)


def _close() -> None:
    st.session_state.pop(_ACTION, None)
    forget_made_link()


def _open_dialog(
    history: OwnerHistory,
    conversation: Conversation,
    t: Translator,
    listed: list[ConversationSummary],
) -> None:
    """The rename or delete dialog a row's menu asked for (one at a time)."""
    action, conversation_id = st.session_state.get(_ACTION, (None, None))
    item = next((i for i in listed if i.id == conversation_id), None)
    if item is None:
        _close()
        return
    if action == "rename":
        st.dialog(t("history.rename"), on_dismiss=_close)(_rename_form)(history, item, t)
    elif action == "move":
        st.dialog(t("projects.move_chat"), on_dismiss=_close)(_move_form)(
            history, conversation, item, t
        )
    elif action == "share":
        st.dialog(t("share.title"), on_dismiss=_close)(share_form)(history, item.id, t)
    elif action == "delete":
        st.dialog(t("history.delete"), on_dismiss=_close)(_delete_form)(
            history, conversation, item, t
        )


def _rename_form(history: OwnerHistory, item: ConversationSummary, t: Translator) -> None:
    with st.form(key=f"rename_form_{item.id}", border=False):
        title = st.text_input(t("history.new_title"), value=item.title, max_chars=200)
        if st.form_submit_button(t("history.save"), type="primary"):
            if not history.rename(item.id, title):
                _failed(t)
            _close()
            st.rerun()


def _move_form(
    history: OwnerHistory, conversation: Conversation, item: ConversationSummary, t: Translator
) -> None:
    st.markdown(f"**{_shown_title(item.title)}**")
    if move_form(t, history, item.id, conversation, now_in=item.project_id):
        _close()
        st.rerun()


def _delete_form(
    history: OwnerHistory, conversation: Conversation, item: ConversationSummary, t: Translator
) -> None:
    st.markdown(f"**{_shown_title(item.title)}**")
    st.markdown(t("history.delete_confirm"))
    if st.button(t("history.delete_yes"), type="primary", key=f"delete_yes_{item.id}"):
        if not history.delete(item.id):
            _failed(t)
        elif conversation.id == item.id:
            actions.new_chat(conversation)
        _close()
        st.rerun()
