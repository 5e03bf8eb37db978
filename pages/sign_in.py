"""The sign-in page: the only page until the visitor signs in as an allowed user."""

from __future__ import annotations

import streamlit as st

from chat_core.i18n import Translator
from components.auth import signed_in_user
from components.config import configured_settings, session_language

configured, _ = configured_settings()
t = Translator(session_language(configured))
user = signed_in_user()

st.title(t("auth.title"))
if user is None:
    st.markdown(t("auth.please_sign_in"))
    st.button(t("auth.sign_in"), type="primary", icon=":material/login:", on_click=st.login)
else:
    st.error(t("auth.not_allowed", identity=user.shown_as), icon=":material/block:")
    if configured.allowed_users and user.verified_email is None:
        st.caption(t("auth.unverified_email"))
    st.button(t("auth.sign_out"), icon=":material/logout:", on_click=st.logout)
