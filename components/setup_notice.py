"""What a visitor sees when no model is configured: how to add one, or a local server to use."""

from __future__ import annotations

import streamlit as st

from chat_core.i18n import Translator
from chat_core.local_server import OLLAMA_BASE_URL, list_models

from . import state

__all__ = ["render_setup_notice"]


@st.cache_data(ttl=20, show_spinner=False)
def _local_models(base_url: str) -> list[str] | None:
    """The local server's models; cached briefly and shared (nothing secret in it)."""
    return list_models(base_url)


def _use_local_server(model: str) -> None:
    overrides = state.overrides()
    overrides["base_url"] = OLLAMA_BASE_URL
    overrides["model"] = model
    st.session_state[state.widget_key("model")] = model


def render_setup_notice(t: Translator) -> None:
    st.info(t("setup.no_key"), icon=":material/key:")
    models = _local_models(OLLAMA_BASE_URL)
    if not models:
        return
    with st.container(border=True):
        st.markdown(t("setup.local_found", url=OLLAMA_BASE_URL))
        model = st.selectbox(t("setup.local_model"), models, key="setup_local_model")
        st.button(
            t("setup.use_local"),
            on_click=_use_local_server,
            args=(model,),
            type="primary",
        )
