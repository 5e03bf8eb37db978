"""A project's page (``?p=<id>``): its name, its instructions (added to the system prompt
of every chat in it), its chats, a new chat in it, and deleting it (asking first; its
chats move out, none is lost)."""

from __future__ import annotations

import streamlit as st

from chat_core.storage.project_rows import INSTRUCTIONS_CHARS, ProjectRefusedError
from components import actions, state
from components.chat_list import CHAT_PAGE
from components.context import page_context
from components.projects import move_form, project_name_form, shown_name
from components.sidebar import model_choices

context = page_context()
t = context.t
history = context.history
conversation = context.conversation()
project_id = st.query_params.get("p")
project = history.project(project_id) if history is not None and project_id else None

if history is None:
    st.info(t("history.session_only"), icon=":material/info:")
    st.stop()
if project is None:
    st.warning(t("projects.not_found"), icon=":material/folder_off:")
    st.page_link(CHAT_PAGE, label=t("nav.chat"), icon=":material/chat:")
    st.stop()

st.title(project.name, anchor=False)
if st.button(t("projects.new_chat"), icon=":material/edit_square:", type="primary"):
    actions.new_chat(conversation)
    conversation.restart(project.id)
    for name, value in project.settings.items():  # the project's defaults for its chats
        state.choose(name, value)
    st.switch_page(CHAT_PAGE)

with st.form("project_instructions", border=False):
    current = project.settings.get("model", "")
    models = list(dict.fromkeys(["", *model_choices(context.configured), current]))
    model = st.selectbox(t("projects.model"), models, index=models.index(current),
                         format_func=lambda name: name or t("projects.model_default"))  # fmt: skip
    instructions = st.text_area(
        t("projects.instructions"),
        value=project.instructions,
        max_chars=INSTRUCTIONS_CHARS,
        height=160,
        help=t("projects.instructions_help"),
    )
    if st.form_submit_button(t("history.save")):
        try:
            chosen = {**project.settings, "model": model} if model else {
                k: v for k, v in project.settings.items() if k != "model"}  # fmt: skip
            saved = history.update_project(project.id, instructions=instructions,
                                           settings=chosen)  # fmt: skip
        except ProjectRefusedError as refused:
            st.error(t(f"projects.refused_{refused.reason}"), icon=":material/error:")
        else:
            if saved:
                st.toast(t("projects.saved"), icon=":material/check:")
            else:
                st.error(t("history.unavailable"), icon=":material/database:")

st.subheader(t("projects.chats"), anchor=False)
chats = history.project_chats(project.id) or []
if not chats:
    st.caption(t("projects.no_chats"))
for item in chats:
    with st.container(horizontal=True, vertical_alignment="center", key=f"project_chat_{item.id}"):
        st.page_link(CHAT_PAGE, label=item.title, query_params={"c": item.id}, width="stretch")
        with st.popover(t("projects.move_chat"), icon=":material/drive_file_move:",
                        type="tertiary", key=f"project_move_{item.id}"):  # fmt: skip
            if move_form(t, history, item.id, conversation, now_in=project.id):
                st.rerun()

with st.expander(t("projects.settings"), icon=":material/settings:"):
    project_name_form(t, history, key="rename_project", project=project)
    st.divider()
    if not st.toggle(t("projects.delete"), key=f"delete_project_asked_{project.id}"):
        st.stop()
    st.markdown(t("projects.delete_confirm", name=shown_name(project), count=len(chats)))
    if st.button(t("projects.delete_yes"), icon=":material/delete:", type="primary",
                 key="delete_project"):  # fmt: skip
        moved = history.delete_project(project.id)
        if moved is None:
            st.error(t("history.unavailable"), icon=":material/database:")
        else:
            if conversation.project_id == project.id:
                conversation.moved(None)
            st.switch_page(CHAT_PAGE)
