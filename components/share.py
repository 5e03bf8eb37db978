"""Share: an owner makes a read-only link to a snapshot of a conversation, sees the
links made, and revokes them. Only when the deployer turned sharing on (CHAT_SHARING)."""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import escape_markdown
from chat_core.storage.store import StoredConversation
from chat_core.transfer.share_snapshot import LINKS_PER_OWNER, SnapshotTooLarge
from components.copy_button import copy_link_button
from components.dates import local_date
from components.persistence import OwnerHistory

__all__ = ["SHARED_PAGE", "forget_made_link", "render_links", "share_form", "shared_url"]

SHARED_PAGE = "shared"  # the url_path of pages/shared.py
_MADE = "share_made"  # the link just made, shown until the dialog closes
_BASE_PATH = "server.baseUrlPath"  # where the app is served, behind a proxy


def shared_url(token: str) -> str:
    """The link's full address, on the server the owner is using now."""
    here = urlsplit(st.context.url or "http://localhost:8501/")
    base = (st.get_option(_BASE_PATH) or "").strip("/")
    path = f"/{base}/{SHARED_PAGE}" if base else f"/{SHARED_PAGE}"
    return f"{here.scheme}://{here.netloc}{path}?s={token}"


def _make(history: OwnerHistory, stored: StoredConversation, include_files: bool, t: Translator):
    links = history.links()
    if links is not None and len(links) >= LINKS_PER_OWNER:
        st.error(t("share.too_many", limit=LINKS_PER_OWNER), icon=":material/error:")
        return
    try:
        token = history.share(stored, include_files=include_files)
    except SnapshotTooLarge:
        st.error(t("share.too_large"), icon=":material/error:")
        return
    if token is None:
        st.error(t("history.unavailable"), icon=":material/database:")
        return
    st.session_state[_MADE] = token


def share_form(history: OwnerHistory, conversation_id: str, t: Translator) -> None:
    """The dialog's body: make a link (files optional), then the links of this chat."""
    stored = history.load(conversation_id)
    if stored is None:
        st.error(t("history.unavailable"), icon=":material/database:")
        return
    st.caption(t("share.explain"))
    has_files = any(message.attachments for message in stored.messages)
    include = has_files and st.checkbox(t("share.include_files"), value=False)
    if st.button(t("share.create"), type="primary", icon=":material/link:", key="share_create"):
        _make(history, stored, include, t)
    made = st.session_state.get(_MADE)
    if made:
        st.success(t("share.made"), icon=":material/check:")
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.code(shared_url(made), language=None, wrap_lines=True, width="stretch")
            copy_link_button(shared_url(made), place="made", t=t)
    render_links(history, t, conversation_id=conversation_id)


def forget_made_link() -> None:
    st.session_state.pop(_MADE, None)


def _revoke(history: OwnerHistory, token: str, t: Translator) -> None:
    if not history.revoke(token):
        st.toast(t("history.unavailable"), icon=":material/database:")
    if st.session_state.get(_MADE) == token:
        forget_made_link()


def render_links(history: OwnerHistory, t: Translator, *, conversation_id: str | None = None):
    """The owner's live links (of one conversation, if given), each with Revoke."""
    links = history.links(conversation_id)
    if not links:
        return
    st.markdown(f"**{t('share.links')}**")
    for link in links:
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            words = t("share.link_files") if link.with_files else t("share.link_plain")
            label = f"{local_date(link.created_at, t)} · {words}"
            if conversation_id is None:
                label = f"**{escape_markdown(link.title)}** · {label}"
            st.markdown(f"[{label}]({shared_url(link.token)})")
            copy_link_button(shared_url(link.token), place="list", t=t)
            st.button(
                t("share.revoke"),
                key=f"revoke_{link.token}",
                icon=":material/link_off:",
                type="tertiary",
                on_click=_revoke,
                args=(history, link.token, t),
            )
