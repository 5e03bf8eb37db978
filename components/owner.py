"""Whose conversations these are: the local user, or nobody (session only)."""

from __future__ import annotations

import streamlit as st

from chat_core.settings import Settings

from .auth import auth_configured, is_allowed, signed_in_identity

__all__ = ["LOCAL_OWNER", "current_owner"]

LOCAL_OWNER = "local"
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
_PROXY_HEADERS = ("X-Forwarded-For", "X-Real-Ip", "Forwarded")


def _host(header: str | None) -> str:
    host = (header or "localhost").strip().lower()
    if host.startswith("["):  # [::1]:8501
        return host[1 : host.find("]")]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def current_owner(settings: Settings) -> str | None:
    """The signed-in user when sign-in is configured; else ``"local"`` for a visitor on
    this very machine; else None (history for the session only).

    A visitor is local when the connection comes from loopback, the page was asked
    for by a loopback host name, and no proxy header says it was forwarded. Behind
    a reverse proxy on the same machine, set ``CHAT_LOCAL_OWNER=false``.
    """
    if auth_configured():
        identity = signed_in_identity()
        return f"user:{identity}" if is_allowed(identity, settings) else None
    if not settings.local_owner:
        return None
    remote_ip = st.context.ip_address  # None for loopback
    if isinstance(remote_ip, str) and remote_ip:
        return None
    headers = st.context.headers
    if any(headers.get(name) for name in _PROXY_HEADERS):
        return None
    return LOCAL_OWNER if _host(headers.get("Host")) in _LOOPBACK_HOSTS else None
