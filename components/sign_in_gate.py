"""What a visitor who has not signed in (or is not allowed) sees instead of the chat."""

from __future__ import annotations

import streamlit as st

from chat_core.i18n import Translator
from chat_core.settings.settings import Settings
from components.visitor import Visitor

__all__ = ["render_sign_in"]


def render_sign_in(visitor: Visitor, configured: Settings, t: Translator) -> None:
    user = visitor.user
    st.title(t("auth.title"))
    if user is None:
        st.markdown(t("auth.please_sign_in"))
        st.button(t("auth.sign_in"), type="primary", icon=":material/login:", on_click=st.login)
        return
    st.error(t("auth.not_allowed", identity=user.shown_as), icon=":material/block:")
    if configured.allowed_users and user.verified_email is None:
        st.caption(t("auth.unverified_email"))
    st.button(t("auth.sign_out"), icon=":material/logout:", on_click=st.logout)
