"""What a chat with no message yet shows: a greeting, the model (and why, when it is not
the configured one), and what may be attached.

The file limits are a long text, folded away: on a phone the page stays short enough
for the chat input to be seen without scrolling.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import escape_markdown
from chat_core.settings.settings import Settings
from components.attachments_view import attachment_rules
from components.context import page_context
from components.preset_picker import render_preset_picker

__all__ = ["render_empty_page"]


def render_empty_page(t: Translator, settings: Settings, models: Sequence[str]) -> None:
    """The empty chat: ``models`` are those the server lists (empty: it lists none)."""
    st.markdown(f"### {t('chat.empty_title')}")
    model = escape_markdown(settings.model)  # a name typed by someone: text, not Markdown
    st.caption(t("chat.empty_caption", model=model))
    context = page_context()
    if context.model_fallback and settings.model == context.configured.model:
        default = escape_markdown(context.model_fallback)
        st.caption(t("chat.model_fallback", default=default, model=model))  # quietly
    elif models and settings.model not in models:
        st.warning(t("chat.model_not_listed", model=model), icon=":material/help:")
    with st.expander(t("chat.attachment_rules_fold"), icon=":material/attach_file:"):
        st.caption(attachment_rules(t, text_budget=settings.max_attachment_chars))
    render_preset_picker(t)
