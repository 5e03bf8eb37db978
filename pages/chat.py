"""The chat page: one run draws the history and, if a message came in, streams its answer."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from chat_core.attachments import read_uploads
from chat_core.errors import UserFacingError
from chat_core.messages import ChatMessage, Status
from chat_core.text import clean_user_text
from components import state
from components.admission import admit, input_refusal, settle
from components.attachments_view import attachment_rules
from components.chat_view import conversation_usage, render_history, render_message, stream_answer
from components.config import session_settings
from components.context import page_context
from components.persistence import database_lost
from components.setup_notice import render_setup_notice
from components.sidebar import listed_models, render_sidebar

context = page_context()
configured, t, language = context.configured, context.t, context.language
conversation = context.conversation()

before_sidebar = session_settings(configured)
prompt = st.chat_input(
    t("chat.input_placeholder"),
    key="chat_input",
    submit_mode="disable",
    disabled=not before_sidebar.has_endpoint,
    accept_file="multiple",
)


def incoming_question() -> ChatMessage | None:
    """This run's question: typed (with its files, read and checked), or a Retry / Edit."""
    if prompt is None:
        return state.take_question()
    text = clean_user_text(prompt.text or "")
    files = []
    if prompt.files:  # a long PDF takes a moment to read
        with st.spinner(t("attachment.reading")):
            files = read_uploads(prompt.files, text_budget=before_sidebar.max_attachment_chars)
    return ChatMessage.user(text, attachments=files) if text or files else None


question = incoming_question()
render_sidebar(
    configured,
    t,
    language=language,
    busy=question is not None,
    saved=context.history is not None,
    user=context.visitor.user,
    usage_total=conversation_usage(conversation.messages, t, configured.prices),
    conversation=conversation,
)
settings = session_settings(configured)

for problem in context.problems:
    st.warning(
        t("setup.bad_setting", name=problem.name, value=problem.value, expected=problem.expected)
    )
if not settings.has_endpoint:
    render_setup_notice(t, offer_local_server=settings.base_url is None)
if (context.visitor.owner and context.store is None) or conversation.storage_failed:
    problem = "history.database_lost" if database_lost(configured) else "history.unavailable"
    st.warning(t(problem), icon=":material/database:")

# The page is always [history, turn]. A run that answers a message draws only the
# turn, so a long conversation does not delay the first token: the browser keeps
# showing the history it has until the rerun after the answer redraws it.
history_area, turn_area = st.container(), st.container()


def draw_history() -> None:
    with history_area:
        if not conversation.messages:
            st.markdown(f"### {t('chat.empty_title')}")
            st.caption(t("chat.empty_caption", model=settings.model))
            models = listed_models(configured)
            if models and settings.model not in models:
                st.warning(t("chat.model_not_listed", model=settings.model), icon=":material/help:")
            st.caption(attachment_rules(t, text_budget=settings.max_attachment_chars))
        render_history(conversation, t, prices=configured.prices)


def admitted(earlier: list[ChatMessage], question: ChatMessage):
    """The question counted against the limits, or why it may not be sent."""
    return input_refusal(question, settings) or admit(
        earlier,
        question,
        settings,
        language=language,
        identity=context.visitor.identity,
        store=context.store,
    )


if question is None:
    draw_history()
elif isinstance(reservation := admitted(list(conversation.messages), question), UserFacingError):
    # Refused before any request; the question stays in the conversation, marked.
    conversation.begin_turn(question, settings)
    conversation.add(replace(question, status=Status.FAILED, error=reservation))
    st.rerun()
else:
    earlier = list(conversation.messages)
    conversation.begin_turn(question, settings)
    conversation.add(question)
    answer_position = len(conversation.messages)

    def keep(answer: ChatMessage) -> None:
        conversation.add(answer)
        settle(reservation, answer, context.store)

    with turn_area:
        render_message(question, t)
        stream_answer(
            earlier,
            question,
            settings,
            language=language,
            t=t,
            keep=keep,
            checkpoint=lambda partial: conversation.checkpoint(answer_position, partial),
        )
    st.rerun()  # redraw from the history, with the sidebar and actions enabled again
