"""A shared link: the snapshot of a conversation its owner shared, read-only.

Nothing of the owner is shown, and nothing here can change anything: no input, no
actions. An unknown token and a revoked one read the same ("no such link"), so a link's
past existence is not told to someone who guesses.
"""

from __future__ import annotations

import logging

import streamlit as st

from chat_core.markdown.visitor_text import escape_markdown
from chat_core.storage.shares import shared
from chat_core.transfer.share_snapshot import read_snapshot
from components.auth import auth_configured
from components.chat_view import render_message
from components.context import page_context
from components.dates import local_date
from components.persistence import guarded
from components.sign_in_gate import render_sign_in

log = logging.getLogger(__name__)
context = page_context(signed_in_only=False)
t = context.t
settings = context.configured
if settings.sharing_requires_sign_in and not auth_configured():
    # Required, but nobody can sign in here: no link opens (never open by mistake).
    log.warning("CHAT_SHARING_REQUIRES_SIGN_IN is on, but sign-in ([auth]) is not set up")
    st.error(t("share.sign_in_missing"), icon=":material/lock:")
    st.stop()
if settings.sharing_requires_sign_in and not context.visitor.allowed:
    render_sign_in(context.visitor, settings, t)  # the deployer requires it to view
    st.stop()
token = st.query_params.get("s", "")
snapshot = None
if settings.sharing and context.store is not None and 0 < len(token) <= 64:
    snapshot = guarded("open a shared link", lambda: shared(context.store.engine, token))

if snapshot is None:
    st.title(t("share.not_found_title"))
    st.info(t("share.not_found"), icon=":material/link_off:")
else:
    st.title(escape_markdown(snapshot.title))  # a title is text, never Markdown
    st.caption(t("share.shared_on", date=local_date(snapshot.created_at, t)))
    for message in read_snapshot(snapshot.snapshot):
        render_message(message, t)
    st.caption(t("share.read_only"))
