"""What a visitor sees when no model is configured: how to add one, or a local server to use."""

from __future__ import annotations

import streamlit as st

from chat_core.i18n import Translator
from chat_core.provider import local_server
from components import state
from components.config import choose_own_model
from components.context import page_context

__all__ = ["render_setup_notice"]


@st.cache_data(ttl=20, show_spinner=False)
def _local_server(urls: tuple[str, ...]) -> tuple[str, list[str]] | None:
    """A local server and its models; cached briefly and shared (nothing secret in it)."""
    return local_server.find_local_server(urls)


def _use_local_server(base_url: str, model: str) -> None:
    """The server for this session, and its model for this chat and every new one."""
    state.choose("base_url", base_url)
    state.choose("model", model)
    choose_own_model(model, page_context().history)


def render_setup_notice(t: Translator, *, offer_local_server: bool) -> None:
    st.info(t("setup.no_key"), icon=":material/key:")
    if not offer_local_server:
        return
    found = _local_server(local_server.LOCAL_SERVER_URLS)
    if found is None:
        return
    base_url, models = found
    with st.container(border=True):
        st.markdown(t("setup.local_found", url=base_url))
        model = st.selectbox(t("setup.local_model"), models, key="setup_local_model")
        st.button(
            t("setup.use_local"),
            on_click=_use_local_server,
            args=(base_url, model),
            type="primary",
        )
