"""The sign-in page: the only page until the visitor signs in as an allowed user."""

from __future__ import annotations

import streamlit as st

from chat_core.i18n import Translator
from components.auth import signed_in_identity
from components.config import configured_settings, session_language

configured, _ = configured_settings()
t = Translator(session_language(configured))
identity = signed_in_identity()

st.title(t("auth.title"))
if identity is None:
    st.markdown(t("auth.please_sign_in"))
    st.button(t("auth.sign_in"), type="primary", icon=":material/login:", on_click=st.login)
else:
    st.error(t("auth.not_allowed", identity=identity), icon=":material/block:")
    st.button(t("auth.sign_out"), icon=":material/logout:", on_click=st.logout)
