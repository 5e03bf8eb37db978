"""The chat page: one run draws the history and, if a message came in, streams its answer."""

from __future__ import annotations

import streamlit as st

from chat_core.i18n import Translator
from chat_core.messages import ChatMessage
from components import state
from components.chat_view import render_history, render_message, stream_answer
from components.config import configured_settings, session_language, session_settings
from components.setup_notice import render_setup_notice
from components.sidebar import render_sidebar

configured, problems = configured_settings()
language = session_language(configured)
t = Translator(language)

ready = session_settings(configured).has_endpoint
prompt = st.chat_input(
    t("chat.input_placeholder"), key="chat_input", submit_mode="disable", disabled=not ready
)
user_text = (prompt or "").strip()
render_sidebar(configured, t, language=language, busy=bool(user_text))
settings = session_settings(configured)

for problem in problems:
    st.warning(
        t("setup.bad_setting", name=problem.name, value=problem.value, expected=problem.expected)
    )
if not settings.has_endpoint:
    render_setup_notice(t)

history = state.history()
if not history and not user_text:
    st.markdown(f"### {t('chat.empty_title')}")
    st.caption(t("chat.empty_caption", model=settings.model))
render_history(history, t)

if user_text:
    earlier = list(history)
    question = ChatMessage.user(user_text)
    state.add_message(question)
    render_message(question, t)
    stream_answer(earlier, user_text, settings, language=language, t=t, keep=state.add_message)
    st.rerun()  # redraw from the history, with the sidebar enabled again
