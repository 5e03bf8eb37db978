"""Sign-in with Streamlit's OpenID Connect (``st.login``), when ``[auth]`` is in the secrets."""

from __future__ import annotations

import streamlit as st

from chat_core.settings import Settings

__all__ = ["auth_configured", "is_allowed", "signed_in_identity"]


def auth_configured() -> bool:
    """True when the deployer configured ``[auth]``: nobody chats without signing in."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def signed_in_identity() -> str | None:
    """The signed-in user's e-mail (or subject), or None (also when sign-in is off)."""
    if not auth_configured() or not st.user.get("is_logged_in"):
        return None
    return str(st.user.get("email") or st.user.get("sub") or "") or None


def is_allowed(identity: str | None, settings: Settings) -> bool:
    """Whether ``identity`` passes ``CHAT_ALLOWED_USERS`` (e-mails and ``@domain`` entries)."""
    entries = [e.strip().lower() for e in settings.allowed_users.split(",") if e.strip()]
    if not entries:
        return identity is not None
    if identity is None:
        return False
    email = identity.lower()
    domain = email.rpartition("@")[2]
    return any(
        email == entry or (entry.startswith("@") and domain == entry[1:]) for entry in entries
    )
