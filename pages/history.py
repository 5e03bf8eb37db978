"""The history page: the visitor's saved conversations, to search, open, rename, export, delete."""

from __future__ import annotations

import streamlit as st

from components.context import page_context
from components.history_actions import render_actions, show_notice
from components.history_list import render_list
from components.importer import render_import
from components.share import render_links

context = page_context()
t = context.t
history = context.history
conversation = context.conversation()

st.title(t("history.title"))
if context.visitor.owner is None:
    st.info(t("history.session_only"), icon=":material/info:")
elif history is None:
    st.warning(t("history.unavailable"), icon=":material/database:")
else:
    show_notice()
    page = render_list(history, t)
    if page is not None:
        render_actions(history, conversation, page.items, t)
    render_import(history, t)
    if context.configured.sharing:
        with st.expander(t("share.links"), icon=":material/share:"):
            render_links(history, t)
