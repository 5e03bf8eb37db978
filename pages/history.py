"""The history page: the visitor's saved conversations, to search, open, rename, export, delete."""

from __future__ import annotations

import streamlit as st

from chat_core.storage import ConversationSummary, export_json, export_markdown, export_name
from chat_core.text import escape_markdown
from components import actions
from components.context import page_context
from components.dates import local_date, visitor_zone
from components.importer import render_import
from components.share import render_links

context = page_context()
t = context.t
history = context.history
conversation = context.conversation()

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
        "thinking": t("thinking.label"),
    }


def _export(item: ConversationSummary, kind: str):
    """Build the export only when the visitor clicks (a callable for st.download_button)."""

    def build() -> str:
        stored = history.load(item.id)
        if stored is None:
            return ""
        if kind == "json":
            return export_json(stored)
        return export_markdown(stored, labels=_labels())

    return build


def _failed() -> None:
    st.toast(t("history.unavailable"), icon=":material/database:")


def _rename(conversation_id: str) -> None:
    if not history.rename(conversation_id, st.session_state[f"title_{conversation_id}"]):
        _failed()


def _delete(conversation_id: str) -> None:
    if not history.delete(conversation_id):
        _failed()
    elif conversation.id == conversation_id:
        actions.new_chat(conversation)


def _open(conversation_id: str) -> None:
    stored = history.load(conversation_id)
    if stored is None:
        _failed()
        return
    actions.open_conversation(conversation, stored)
    st.switch_page("pages/chat.py", query_params={"c": stored.id})


def _render_item(item: ConversationSummary) -> None:
    zone = visitor_zone()  # the date in a file's name is the visitor's
    with st.container(border=True, key=f"conversation_{item.id}"):
        st.markdown(f"**{escape_markdown(item.title)}**")  # a title is text, never Markdown
        st.caption(t("history.meta", date=local_date(item.updated_at, t), count=item.message_count))
        with st.container(horizontal=True, gap="small"):
            if st.button(t("history.open"), key=f"open_{item.id}", type="primary"):
                _open(item.id)
            with st.popover(t("history.rename"), icon=":material/edit:"):
                st.text_input(t("history.new_title"), value=item.title, key=f"title_{item.id}")
                st.button(
                    t("history.save"), key=f"rename_{item.id}", on_click=_rename, args=(item.id,)
                )
            for kind, extension, mime in _EXPORTS:
                st.download_button(
                    t(f"history.export_{extension}"),
                    data=_export(item, kind),
                    file_name=export_name(item.title, item.updated_at.astimezone(zone), extension),
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
                    args=(item.id,),
                )


st.title(t("history.title"))
if context.visitor.owner is None:
    st.info(t("history.session_only"), icon=":material/info:")
elif history is None:
    st.warning(t("history.unavailable"), icon=":material/database:")
else:
    search = st.text_input(
        t("history.search"), placeholder=t("history.search_placeholder"), key="history_search"
    )
    items = history.list(search)
    if items is None:
        st.warning(t("history.unavailable"), icon=":material/database:")
    elif not items:
        st.caption(t("history.no_match") if search.strip() else t("history.none"))
    for item in items or []:
        _render_item(item)
    render_import(history, t)
    if context.configured.sharing:
        with st.expander(t("share.links"), icon=":material/share:"):
            render_links(history, t)
