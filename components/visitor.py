"""Who this visitor is, worked out once per run: owner of a history, identity for limits."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import streamlit as st

from chat_core.identity import (
    LOCAL_OWNER,
    PROXY_HEADERS,
    SignedInUser,
    client_address,
    is_loopback_host,
    limit_identity,
    network_identity,
    parse_address,
    same_origin,
)
from chat_core.settings.settings import Settings
from chat_core.storage.store import ConversationStore
from components import state
from components.auth import auth_configured, signed_in_user
from components.persistence import guarded

__all__ = ["Visitor", "current_visitor"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Visitor:
    owner: str | None  # whose history is shown and saved; None: this tab only
    identity: str  # whom the limits count against
    network: str | None  # whose share of the process's answers; None: this machine's user
    user: SignedInUser | None  # when signed in
    is_admin: bool  # sees everyone's usage
    allowed: bool  # passed the sign-in allow-list (always, without sign-in)


def _is_local(settings: Settings) -> bool:
    """A visitor on this very machine: a loopback connection (``::ffff:127.0.0.1``
    included), asked for by a loopback host name from the app's own page, with no
    proxy header (a proxy on this machine forwards other people)."""
    if not settings.local_owner:
        return False
    address = parse_address(st.context.ip_address)  # None for 127.0.0.1 and ::1
    if address is not None and not address.is_loopback:
        return False
    headers = st.context.headers
    if any(headers.get(name) for name in PROXY_HEADERS):
        return False
    host = headers.get("Host")
    return is_loopback_host(host) and same_origin(headers.get("Origin"), host)


def _claim_legacy_history(user: SignedInUser, store: ConversationStore | None) -> None:
    """Once per session: conversations that earlier versions kept under this user's
    verified e-mail move to their issuer-and-subject key."""
    if store is None or user.legacy_owner is None or state.legacy_history_claimed():
        return
    moved = guarded(
        "move earlier conversations", lambda: store.rename_owner(user.legacy_owner, user.owner)
    )
    if moved is None:
        return
    state.mark_legacy_history_claimed()
    if moved:
        log.info("moved %d conversations to a signed-in user's new key", moved)


def current_visitor(settings: Settings, store: ConversationStore | None) -> Visitor:
    # Every line: a visitor may send their own, and the proxy adds its line after it
    # (the mapping gives the first line only).
    forwarded_for = st.context.headers.get_all("X-Forwarded-For")
    address = client_address(st.context.ip_address, forwarded_for, settings.trusted_proxies)
    if auth_configured():
        user = signed_in_user()
        allowed = user is not None and user.is_allowed(settings.allowed_users)
        owner = user.owner if user is not None and allowed else None
        if owner is not None:
            _claim_legacy_history(user, store)
        return Visitor(
            owner=owner,
            identity=limit_identity(owner, address, state.session_id()),
            network=network_identity(address),
            user=user,
            is_admin=bool(owner) and user.is_admin(settings.admins),
            allowed=allowed,
        )
    owner = LOCAL_OWNER if _is_local(settings) else None
    return Visitor(
        owner=owner,
        identity=limit_identity(owner, address, state.session_id()),
        network=None if owner == LOCAL_OWNER else network_identity(address),
        user=None,
        is_admin=owner == LOCAL_OWNER and LOCAL_OWNER in settings.admins,
        allowed=True,
    )
