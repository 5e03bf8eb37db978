"""The chat page: one run draws the history and, if a message came in, streams its answer."""

from __future__ import annotations

import streamlit as st

from chat_core.i18n import Translator
from chat_core.messages import ChatMessage, Status
from chat_core.text import clean_user_text
from chat_core.usage import parse_prices
from components import state
from components.chat_view import render_history, render_message, stream_answer
from components.config import configured_settings, session_language, session_settings
from components.owner import current_owner
from components.persistence import Saver, open_store
from components.setup_notice import render_setup_notice
from components.sidebar import render_sidebar
from components.usage import conversation_usage, keep_answer, limit_identity, refusal_for

configured, problems = configured_settings()
language = session_language(configured)
t = Translator(language)

ready = session_settings(configured).has_endpoint
prompt = st.chat_input(
    t("chat.input_placeholder"), key="chat_input", submit_mode="disable", disabled=not ready
)
user_text = clean_user_text(prompt or state.take_resend() or "")
owner = current_owner(configured)
store = open_store(configured)
state.use_saver(Saver(store, owner) if store and owner else None)
prices = parse_prices(configured.prices)
render_sidebar(
    configured,
    t,
    language=language,
    busy=bool(user_text),
    saved=bool(store and owner),
    usage_total=conversation_usage(state.history(), t, prices),
)
settings = session_settings(configured)

for problem in problems:
    st.warning(
        t("setup.bad_setting", name=problem.name, value=problem.value, expected=problem.expected)
    )
if not settings.has_endpoint:
    render_setup_notice(t, offer_local_server=settings.base_url is None)
if (owner and store is None) or state.storage_failed():
    st.warning(t("history.unavailable"), icon=":material/database:")

history = state.history()
# The page is always [history, turn]. A run that answers a message draws only the
# turn, so a long conversation does not delay the first token: the browser keeps
# showing the history it has until the rerun after the answer redraws it.
history_area, turn_area = st.container(), st.container()


def draw_history() -> None:
    with history_area:
        if not history and not user_text:
            st.markdown(f"### {t('chat.empty_title')}")
            st.caption(t("chat.empty_caption", model=settings.model))
        render_history(history, t, busy=bool(user_text), prices=prices)


if not user_text:
    draw_history()

refusal = refusal_for(user_text, settings, store, limit_identity(owner)) if user_text else None
if refusal is not None:
    # Refused before any request; the text stays in the conversation, marked.
    error = refusal
    state.begin_turn(user_text, settings)
    state.add_message(ChatMessage.user(user_text, status=Status.FAILED, error=error))
    st.rerun()
elif user_text:
    earlier = list(history)
    question = ChatMessage.user(user_text)
    state.begin_turn(user_text, settings)
    state.add_message(question)
    answer_position = len(history)
    with turn_area:
        render_message(question, t)
        stream_answer(
            earlier,
            user_text,
            settings,
            language=language,
            t=t,
            keep=lambda answer: keep_answer(answer, store, limit_identity(owner)),
            checkpoint=lambda partial: state.checkpoint(answer_position, partial),
        )
    st.rerun()  # redraw from the history, with the sidebar and actions enabled again
