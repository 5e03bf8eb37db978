"""The history page: the visitor's saved conversations, to search, open, rename, export, delete."""

from __future__ import annotations

import streamlit as st

from chat_core.i18n import Translator
from chat_core.storage import ConversationStore, ConversationSummary, export_json, export_markdown
from chat_core.text import escape_markdown
from components import state
from components.config import configured_settings, session_language
from components.dates import local_date
from components.persistence import STORAGE_ERRORS, open_store
from components.visitor import current_visitor

configured, _ = configured_settings()
t = Translator(session_language(configured))
store = open_store(configured)
owner = current_visitor(configured, store).owner

_EXPORTS = (("markdown", "md", "text/markdown"), ("json", "json", "application/json"))
_ROLES = ("user", "assistant")
_STATUSES = ("stopped", "failed", "kept", "streaming")


def _labels() -> dict[str, str]:
    """The words of a Markdown export, in the visitor's language."""
    return {
        **{name: t(f"role.{name}") for name in _ROLES},
        **{name: t(f"status.{name}") for name in _STATUSES},
        "not_sent": t("attachment.not_sent"),
        "feedback": t("feedback.label"),
    }


def _export(store: ConversationStore, owner: str, item: ConversationSummary, kind: str):
    """Build the export only when the visitor clicks (a callable for st.download_button)."""

    def build() -> str:
        conversation = store.load(item.id, owner)
        if conversation is None:
            return ""
        if kind == "json":
            return export_json(conversation)
        return export_markdown(conversation, labels=_labels())

    return build


def _rename(store: ConversationStore, owner: str, conversation_id: str) -> None:
    store.rename(conversation_id, owner, st.session_state[f"title_{conversation_id}"])


def _delete(store: ConversationStore, owner: str, conversation_id: str) -> None:
    store.delete(conversation_id, owner)
    if state.conversation_id() == conversation_id:
        state.new_chat()


def _render_item(store: ConversationStore, owner: str, item: ConversationSummary) -> None:
    with st.container(border=True, key=f"conversation_{item.id}"):
        st.markdown(f"**{escape_markdown(item.title)}**")  # a title is text, never Markdown
        st.caption(t("history.meta", date=local_date(item.updated_at, t), count=item.message_count))
        with st.container(horizontal=True, gap="small"):
            if st.button(t("history.open"), key=f"open_{item.id}", type="primary"):
                conversation = store.load(item.id, owner)
                if conversation is not None:
                    state.open_conversation(conversation)
                    st.switch_page("pages/chat.py")
            with st.popover(t("history.rename"), icon=":material/edit:"):
                st.text_input(t("history.new_title"), value=item.title, key=f"title_{item.id}")
                st.button(
                    t("history.save"),
                    key=f"rename_{item.id}",
                    on_click=_rename,
                    args=(store, owner, item.id),
                )
            for kind, extension, mime in _EXPORTS:
                st.download_button(
                    t(f"history.export_{extension}"),
                    data=_export(store, owner, item, kind),
                    file_name=f"{item.id}.{extension}",
                    mime=mime,
                    key=f"{extension}_{item.id}",
                    icon=":material/download:",
                    on_click="ignore",
                )
            with st.popover(t("history.delete"), icon=":material/delete:"):
                st.markdown(t("history.delete_confirm"))
                st.button(
                    t("history.delete_yes"),
                    key=f"delete_{item.id}",
                    type="primary",
                    on_click=_delete,
                    args=(store, owner, item.id),
                )


st.title(t("history.title"))
if owner is None:
    st.info(t("history.session_only"), icon=":material/info:")
elif store is None:
    st.warning(t("history.unavailable"), icon=":material/database:")
else:
    search = st.text_input(
        t("history.search"), placeholder=t("history.search_placeholder"), key="history_search"
    )
    try:
        items = store.list(owner, search=search)
    except STORAGE_ERRORS:
        items = None
        st.warning(t("history.unavailable"), icon=":material/database:")
    if items == []:
        st.caption(t("history.no_match") if search.strip() else t("history.none"))
    for item in items or []:
        _render_item(store, owner, item)
