"""The History page's actions dialog, one conversation at a time: open, rename, export as
Markdown or JSON, and delete, asking first. One dialog for the page, so a row carries a
single button however many conversations there are."""

from __future__ import annotations

import streamlit as st

from chat_core.conversation.conversation import Conversation
from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import escape_markdown
from chat_core.storage.listing import ConversationSummary
from chat_core.transfer.exports import export_json, export_markdown, export_name
from components import actions
from components.dates import local_date, visitor_zone
from components.persistence import OwnerHistory

__all__ = ["CHAT_PAGE", "ask_for_actions", "render_actions", "show_notice"]

CHAT_PAGE = "pages/chat.py"
_OPEN = "history_actions"  # the id of the conversation whose dialog is open
_ASKED = "history_delete_asked"  # the id whose deletion was asked for, to confirm
_NOTICE = "history_notice"  # what a dialog's action has to say after the page redraws
_EXPORTS = (("markdown", "md", "text/markdown"), ("json", "json", "application/json"))
_ROLES = ("user", "assistant")
_STATUSES = ("stopped", "failed", "kept", "streaming")


def ask_for_actions(conversation_id: str) -> None:
    """A row's button: open the dialog for that conversation on this run."""
    st.session_state[_OPEN] = conversation_id
    st.session_state.pop(_ASKED, None)


def _close() -> None:
    st.session_state.pop(_OPEN, None)
    st.session_state.pop(_ASKED, None)


def _not_now() -> None:
    st.session_state.pop(_ASKED, None)


def show_notice() -> None:
    """Say what the last action could not do (it ran in the dialog, before the redraw)."""
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.toast(notice, icon=":material/database:")


def render_actions(
    history: OwnerHistory,
    conversation: Conversation,
    items: list[ConversationSummary],
    t: Translator,
) -> None:
    """The dialog a row's button asked for, if that conversation is on the page."""
    wanted = st.session_state.get(_OPEN)
    item = next((i for i in items if i.id == wanted), None)
    if item is None:
        _close()
        return
    dialog = st.dialog(t("history.actions"), on_dismiss=_close)
    dialog(_body)(history, conversation, item, t)


def _done(failed: bool, t: Translator) -> None:
    """Close the dialog and redraw the page, which then says if the action failed."""
    if failed:
        st.session_state[_NOTICE] = t("history.unavailable")
    _close()
    st.rerun()


def _body(
    history: OwnerHistory, conversation: Conversation, item: ConversationSummary, t: Translator
) -> None:
    st.markdown(f"**{escape_markdown(item.title)}**")  # a title is text, never Markdown
    st.caption(t("history.meta", date=local_date(item.updated_at, t), count=item.message_count))
    st.page_link(CHAT_PAGE, label=t("history.open"), query_params={"c": item.id}, icon="💬")
    _rename_form(history, item, t)
    _export_buttons(history, item, t)
    _delete(history, conversation, item, t)


def _rename_form(history: OwnerHistory, item: ConversationSummary, t: Translator) -> None:
    with st.form(key=f"rename_form_{item.id}", border=False):
        title = st.text_input(
            t("history.new_title"), value=item.title, max_chars=200, key=f"title_{item.id}"
        )
        if st.form_submit_button(t("history.save"), key=f"rename_{item.id}"):
            _done(not history.rename(item.id, title), t)


def _labels(t: Translator) -> dict[str, str]:
    """The words of a Markdown export, in the visitor's language."""
    return {
        **{name: t(f"role.{name}") for name in _ROLES},
        **{name: t(f"status.{name}") for name in _STATUSES},
        "not_sent": t("attachment.not_sent"),
        "feedback": t("feedback.label"),
        "thinking": t("thinking.label"),
        "step_failed": t("tools.failed"),
        "step_skipped": t("tools.skipped"),
        "sources": t("tools.sources"),
    }


def _export(history: OwnerHistory, conversation_id: str, kind: str, t: Translator):
    """Build the export only when the visitor clicks (a callable for st.download_button)."""

    def build() -> str:
        stored = history.load(conversation_id)
        if stored is None:
            return ""
        if kind == "json":
            return export_json(stored)
        return export_markdown(stored, labels=_labels(t))

    return build


def _export_buttons(history: OwnerHistory, item: ConversationSummary, t: Translator) -> None:
    zone = visitor_zone()  # the date in a file's name is the visitor's
    with st.container(horizontal=True, gap="small"):
        for kind, extension, mime in _EXPORTS:
            st.download_button(
                t(f"history.export_{extension}"),
                data=_export(history, item.id, kind, t),
                file_name=export_name(item.title, item.updated_at.astimezone(zone), extension),
                mime=mime,
                key=f"{extension}_{item.id}",
                icon=":material/download:",
                on_click="ignore",
            )


def _delete(
    history: OwnerHistory, conversation: Conversation, item: ConversationSummary, t: Translator
) -> None:
    """Delete, once the visitor has said yes to the question it asks first."""
    asked = st.session_state.get(_ASKED) == item.id
    if not asked:
        if not st.button(t("history.delete"), key=f"delete_{item.id}", icon=":material/delete:"):
            return
        st.session_state[_ASKED] = item.id
    st.markdown(t("history.delete_confirm"))
    with st.container(horizontal=True, gap="small"):
        yes = st.button(t("history.delete_yes"), key=f"delete_yes_{item.id}", type="primary")
        st.button(t("history.cancel"), key=f"delete_no_{item.id}", on_click=_not_now)
    if yes:
        deleted = history.delete(item.id)
        if deleted and conversation.id == item.id:
            actions.new_chat(conversation)
        _done(not deleted, t)
