"""The chat page around its turns: the sidebar, the conversation's title, the notices."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from chat_core.conversation.conversation import Conversation
from chat_core.markdown.visitor_text import escape_markdown
from chat_core.settings.settings import Settings
from chat_core.storage.project_rows import Project
from components import state
from components.chat_view import conversation_usage
from components.context import PageContext
from components.persistence import database_lost
from components.projects import render_project_caption
from components.setup_notice import render_setup_notice
from components.sidebar import render_sidebar
from components.title_watch import watch_for_title

__all__ = ["render_chrome"]


def render_chrome(
    context: PageContext,
    conversation: Conversation,
    settings: Settings,
    *,
    title_area: DeltaGenerator,
    notices_area: DeltaGenerator,
    busy: bool,
    idle: bool = False,
    project: Project | None = None,
) -> None:
    """The sidebar (greyed while ``busy``), the title and the page's notices (``idle``:
    no answer is followed, so the model's title may still come). Nothing here is needed
    to answer, so a run that answers draws them once the answer has begun."""
    t, configured = context.t, context.configured
    title = render_sidebar(
        configured,
        t,
        language=context.language,
        busy=busy,
        history=context.history,
        user=context.visitor.user,
        usage_total=conversation_usage(conversation.messages, t, configured.prices),
        conversation=conversation,
    )
    if title and conversation.messages:
        with title_area:
            st.markdown(f"#### {escape_markdown(title)}")  # a title is text, never Markdown
    if project is not None:
        with title_area:
            render_project_caption(t, project)
    if idle:
        watch_for_title(context.history, conversation, title)
    with notices_area:
        _render_notices(context, conversation, settings)


def _render_notices(context: PageContext, conversation: Conversation, settings: Settings) -> None:
    """Settings that could not be used, a missing endpoint, and trouble saving."""
    t = context.t
    for problem in context.problems:
        name, value, expected = problem.name, problem.value, problem.expected
        st.warning(t("setup.bad_setting", name=name, value=value, expected=expected))
    if not settings.has_endpoint:
        render_setup_notice(t, offer_local_server=settings.base_url is None)
    if state.temporary():
        st.info(t("chat.temporary"), icon=":material/history_toggle_off:")
    if conversation.unsaved:
        st.warning(t("history.unsaved", count=conversation.unsaved), icon=":material/database:")
    elif (context.visitor.owner and context.store is None) or conversation.storage_failed:
        lost = database_lost(context.configured)
        st.warning(
            t("history.database_lost" if lost else "history.unavailable"),
            icon=":material/database:",
        )
