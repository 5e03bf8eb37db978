"""A signed-in user's (or the local owner's) own remote MCP servers in the page: kept in
their history, headers sealed, added through a form whose every field is checked, and
connected through the address guard (components/tools.py lists their tools)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from chat_core.i18n import Translator
from chat_core.settings.settings import Settings
from chat_core.storage.secret_box import SecretBox
from chat_core.storage.user_server_rows import MAX_USER_SERVERS, StoredServer
from chat_core.tools.mcp_config import McpServer
from chat_core.web.user_servers import (
    UserServer,
    UserServerRefusedError,
    as_mcp_server,
    checked_user_server,
)
from components.config import data_folder
from components.persistence import OwnerHistory

__all__ = ["OwnServers", "own_servers", "render_add_form"]


@st.cache_resource(show_spinner=False, max_entries=2)
def _box(folder: str, _secret_key: str | None) -> SecretBox:
    """One per process (the key is not part of the cache's key, nor ever shown)."""
    return SecretBox.for_app(_secret_key, Path(folder))


@dataclass(frozen=True)
class OwnServers:
    """The owner's servers, read once for the run that needs them."""

    history: OwnerHistory
    settings: Settings
    stored: tuple[StoredServer, ...]

    @property
    def box(self) -> SecretBox:
        return _box(str(data_folder(self.settings)), self.settings.secret_key)

    def usable(self) -> tuple[McpServer, ...]:
        """Those whose header could be read here, as the toolbox connects to them."""
        return tuple(
            as_mcp_server(UserServer(s.name, s.url, s.header_name, s.header_value or ""),
                          self.settings.allowed_networks)
            for s in self.stored
            if s.header_value is not None
        )  # fmt: skip

    def fingerprint(self) -> str:
        """What the catalog of these servers is cached under (no secret in it)."""
        return "|".join([self.history.owner, *(s.id for s in self.stored)])


def own_servers(history: OwnerHistory | None, settings: Settings) -> OwnServers | None:
    """The visitor's own servers; None where the deployer does not let users add them or
    the visitor has no history to keep them in (not signed in)."""
    if not settings.mcp_user_servers or history is None:
        return None
    box = _box(str(data_folder(settings)), settings.secret_key)
    stored = history.user_servers(box)
    return OwnServers(history, settings, tuple(stored or ()))


def render_add_form(t: Translator, own: OwnServers, taken: Collection[str]) -> None:
    """Name, URL and a header; each checked before it is kept."""
    if len(own.stored) >= MAX_USER_SERVERS:
        st.caption(t("tools.own_full", count=MAX_USER_SERVERS))
        return
    with (
        st.expander(t("tools.own_add"), icon=":material/add:"),
        st.form("own_server_form", border=False, clear_on_submit=True),
    ):
        name = st.text_input(t("tools.own_name"), max_chars=32)
        url = st.text_input(t("tools.own_url"), max_chars=2_000,
                            placeholder=t("tools.own_url_example"))  # fmt: skip
        header = st.text_input(t("tools.own_header_name"), max_chars=128,
                               placeholder=t("tools.own_header_example"))  # fmt: skip
        value = st.text_input(t("tools.own_header_value"), type="password", max_chars=4_096)
        st.caption(t("tools.own_add_help"))
        if st.form_submit_button(t("tools.own_save")):
            _add(t, own, taken, name, url, header, value)


def _add(t: Translator, own: OwnServers, taken: Collection[str], *fields: str) -> None:
    names = [*taken, *(s.name for s in own.stored)]
    try:
        server = checked_user_server(*fields, taken=names,
                                     allowed=own.settings.allowed_networks)  # fmt: skip
    except UserServerRefusedError as refused:
        st.error(t(f"tools.own_refused_{refused.reason}"), icon=":material/error:")
        return
    if own.history.add_user_server(own.box, server) is None:
        st.error(t("tools.own_not_saved"), icon=":material/error:")
        return
    st.rerun()
