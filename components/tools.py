"""The deployer's MCP servers in the page: read once per process (again when the file
changes), what each offers for the Tools control, and the tools an answer may use."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from chat_core.answers.tool_run import ToolPlan
from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import escape_markdown
from chat_core.settings.settings import Settings
from chat_core.tools.catalog import ServerTools, ToolInfo, read_catalog
from chat_core.tools.choice import ALL, BUILT_IN, ToolSwitches, switches_of
from chat_core.tools.loop import ToolLimits
from chat_core.tools.mcp_config import McpConfig, McpServer, read_mcp_config
from chat_core.web.web_tools import FETCH_PAGE, WEB_SEARCH, WebPlan, web_plan
from components import state
from components.user_servers import OwnServers, render_add_form

__all__ = ["TOOLS_OPEN", "deployer_servers", "render_tools_control", "tool_plan"]

TOOLS_OPEN = "tools_control_open"  # session-state key: the Tools popover is open
_CONNECT_SECONDS = 10.0


def _modified(path: str) -> float:
    """When the file last changed: part of the caches' keys, so a changed file is read again."""
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return 0.0


@st.cache_resource(show_spinner=False, max_entries=4)
def _read(path: str, modified: float) -> McpConfig:
    """The file as parsed (its secrets stay in this process: never pickled nor shown)."""
    return read_mcp_config(path, os.environ)


def deployer_servers(settings: Settings) -> McpConfig:
    if not settings.mcp_config:
        return McpConfig()
    return _read(settings.mcp_config, _modified(settings.mcp_config))


@st.cache_resource(show_spinner=False, ttl=300, max_entries=4)
def _catalog(path: str, modified: float) -> tuple[ServerTools, ...]:
    """What each server offers, asked again every few minutes (a server may come back)."""
    servers = _read(path, modified).servers
    return read_catalog(servers, connect_seconds=_CONNECT_SECONDS)


def tool_plan(settings: Settings, own: OwnServers | None = None) -> ToolPlan | None:
    """The tools this answer may use; None when none is switched on."""
    servers = deployer_servers(settings).servers + (own.usable() if own else ())
    switches = switches_of(settings)
    plan = ToolPlan(
        servers,
        switches,
        ToolLimits(settings.tool_steps, settings.tool_timeout, settings.tool_result_chars),
        _CONNECT_SECONDS,
        web_plan(settings),
    )
    return plan if plan.any_on else None


@st.cache_resource(show_spinner=False, ttl=300, max_entries=64)
def _own_catalog(fingerprint: str, _servers: tuple[McpServer, ...]) -> tuple[ServerTools, ...]:
    """One owner's servers' tools, cached under ``fingerprint`` (the owner and the ids of
    their servers: never another owner's entry; the servers, secrets inside, unhashed)."""
    return read_catalog(_servers, connect_seconds=_CONNECT_SECONDS)


def render_tools_control(t: Translator, settings: Settings, own: OwnServers | None) -> None:
    """The Tools button by the message box: every server and its tools, each switchable
    for this conversation (drawn only while open: listing asks the servers)."""
    config = deployer_servers(settings)
    web = web_plan(settings)
    if not config.servers and not web.names and own is None:
        return
    switches = switches_of(settings)
    groups = [server.name for server in config.servers] + ([BUILT_IN] if web.names else [])
    groups += [server.name for server in own.stored] if own else []
    on = sum(switches.server_on(name) for name in groups)
    label = t("tools.button_on", count=on) if on else t("tools.button")
    popover = st.popover(label, icon=":material/build:", key=TOOLS_OPEN, on_change="rerun")
    if not popover.open:
        return
    with popover:
        _switch(t("tools.use_tools"), ALL, switches.tools_on, settings,
                help=t("tools.use_tools_help"), key="tools_all")  # fmt: skip
        if web.names:
            _server_switches(_built_in(web, t), t, settings)
        if config.servers:
            with st.spinner(t("tools.button")):
                catalog = _catalog(settings.mcp_config, _modified(settings.mcp_config))
            for server in catalog:
                _server_switches(server, t, settings)
        if own is not None:
            _own_servers(t, settings, own, taken=[s.name for s in config.servers])


def _own_servers(t: Translator, settings: Settings, own: OwnServers, taken: list[str]) -> None:
    """The visitor's own servers, each with its tools and a Remove button, then the form."""
    st.divider()
    st.markdown(t("tools.own_servers"))
    usable = own.usable()
    catalog = {s.name: s for s in _own_catalog(own.fingerprint(), usable)} if usable else {}
    for stored in own.stored:
        listed = catalog.get(stored.name)
        if listed is None:  # its header was sealed under another key
            _server_switches(ServerTools(stored.name, stored.url, (), t("tools.own_unreadable")),
                             t, settings)  # fmt: skip
        else:
            _server_switches(listed, t, settings)
        st.button(t("tools.own_remove"), key=f"tools_remove_{stored.id}",
                  icon=":material/delete:", on_click=_remove, args=(own, stored.id))  # fmt: skip
    render_add_form(t, own, taken)


def _remove(own: OwnServers, server_id: str) -> None:
    own.history.remove_user_server(server_id)


def _built_in(web: WebPlan, t: Translator) -> ServerTools:
    """The built-in tools as a group of their own (they run without asking)."""
    described = {WEB_SEARCH: t("tools.web_search_help"), FETCH_PAGE: t("tools.fetch_page_help")}
    tools = tuple(ToolInfo(name, described[name], asks_first=False) for name in web.names)
    return ServerTools(BUILT_IN, "", tools)


def _server_switches(server: ServerTools, t: Translator, settings: Settings) -> None:
    switches = switches_of(settings)
    st.divider()
    name = server.name
    label = t("tools.web_group") if name == BUILT_IN else f"**{escape_markdown(name)}**"
    _switch(label, name, switches.server_on(name), settings,
            disabled=not switches.tools_on, key=f"tools_server_{name}")  # fmt: skip
    if server.problem:
        st.caption(t("tools.server_unavailable", why=escape_markdown(server.problem)))
        return
    for tool in server.tools:
        mark = t("tools.asks_first_mark") if tool.asks_first else t("tools.trusted_mark")
        _switch(
            escape_markdown(tool.name),
            f"{server.name}/{tool.name}",
            switches.tool_on(server.name, tool.name),
            settings,
            help=f"{tool.description[:400]}\n\n({mark})",
            disabled=not switches.server_on(server.name),
            key=f"tools_tool_{server.name}_{tool.name}",
        )


def _switch(
    label: str,
    name: str,
    on: bool,
    settings: Settings,
    *,
    key: str,
    help: str | None = None,
    disabled: bool = False,
) -> None:
    st.toggle(label, value=on, key=key, help=help, disabled=disabled,
              on_change=_switched, args=(name, key, settings))  # fmt: skip


def _switched(name: str, key: str, settings: Settings) -> None:
    """Switched in the order clicked: two switches in one rerun both count."""
    now = state.overrides().get("tools_off", settings.tools_off)
    switches = ToolSwitches.parse(now, default_on=settings.tools_default)
    state.choose("tools_off", switches.switched(name, bool(st.session_state[key])).value)
