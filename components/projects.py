"""Projects in the page: the sidebar's list above the chats (each a link to its page), a
new project by name, and moving a chat into a project or out of it. The project's own
page is pages/project.py."""

from __future__ import annotations

import streamlit as st

from chat_core.conversation.conversation import Conversation
from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import escape_markdown, shorten
from chat_core.storage.project_rows import NAME_CHARS, Project, ProjectRefusedError
from components.persistence import OwnerHistory

__all__ = [
    "PROJECT_PAGE",
    "PROJECT_URL",
    "current_project",
    "move_form",
    "project_name_form",
    "render_project_caption",
    "render_projects",
]

PROJECT_PAGE = "pages/project.py"
PROJECT_URL = "project"  # its url_path (streamlit_app.py)
_NAME_SHOWN = 36
_NO_PROJECT = ""


def shown_name(project: Project) -> str:
    return escape_markdown(shorten(project.name, _NAME_SHOWN))  # a name is text, never Markdown


def render_projects(
    t: Translator, history: OwnerHistory | None, conversation: Conversation
) -> None:
    """The owner's projects, the one changed last first, and "New project"."""
    if history is None:
        return
    projects = history.projects()
    if projects is None:
        return
    with st.container(key="project_list", gap=None):
        st.caption(t("projects.heading"))
        for project in projects:
            current = project.id == conversation.project_id
            st.page_link(PROJECT_PAGE, label=shown_name(project), query_params={"p": project.id},
                         icon=":material/folder_open:" if current else ":material/folder:",
                         width="stretch")  # fmt: skip
        with st.popover(t("projects.new"), icon=":material/create_new_folder:", type="tertiary",
                        key="new_project"):  # fmt: skip
            project_name_form(t, history, key="new_project_form")


def render_project_caption(t: Translator, project: Project) -> None:
    """ "In the project X", a link to its page, above a chat that is in one."""
    st.page_link(PROJECT_PAGE, label=t("projects.in_project", name=shown_name(project)),
                 query_params={"p": project.id}, icon=":material/folder:")  # fmt: skip


def current_project(history: OwnerHistory | None, conversation: Conversation) -> Project | None:
    """The project the conversation is in, read once per run: its instructions go into
    the run's plans, its name above the chat."""
    if history is None or conversation.project_id is None:
        return None
    return history.project(conversation.project_id)


def project_name_form(
    t: Translator, history: OwnerHistory, *, key: str, project: Project | None = None
) -> None:
    """A name for a new project (or a new name for ``project``)."""
    with st.form(key=key, border=False, clear_on_submit=project is None):
        name = st.text_input(t("projects.name"), value=project.name if project else "",
                             max_chars=NAME_CHARS)  # fmt: skip
        if not st.form_submit_button(t("projects.create" if project is None else "history.save"),
                                     type="primary"):  # fmt: skip
            return
    try:
        if project is None:
            made = history.create_project(name)
            if made is not None:
                st.switch_page(PROJECT_PAGE, query_params={"p": made})
        elif history.update_project(project.id, name=name):
            st.rerun()
    except ProjectRefusedError as refused:
        st.error(t(f"projects.refused_{refused.reason}"), icon=":material/error:")
        return
    st.error(t("history.unavailable"), icon=":material/database:")


def move_form(
    t: Translator,
    history: OwnerHistory,
    conversation_id: str,
    conversation: Conversation,
    *,
    now_in: str | None,
) -> bool:
    """Choose the chat's project (or none); True once it moved."""
    projects = history.projects() or []
    names = {_NO_PROJECT: t("projects.none"), **{p.id: p.name for p in projects}}
    with st.form(key=f"move_form_{conversation_id}", border=False):
        keys = list(names)
        start = keys.index(now_in) if now_in in names else 0
        chosen = st.selectbox(t("projects.move_to"), keys, format_func=names.__getitem__,
                              index=start)  # fmt: skip
        if not st.form_submit_button(t("projects.move"), type="primary"):
            return False
    target = chosen or None
    if not history.move(conversation_id, target):
        st.error(t("history.unavailable"), icon=":material/database:")
        return False
    if conversation.id == conversation_id:
        conversation.moved(target)
    return True
