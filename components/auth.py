"""Sign-in with Streamlit's OpenID Connect (``st.login``), when ``[auth]`` is in the secrets."""

from __future__ import annotations

import streamlit as st

from chat_core.identity import SignedInUser
from components.secrets import secrets

__all__ = ["auth_configured", "signed_in_user"]


def auth_configured() -> bool:
    """True when the deployer configured ``[auth]``: nobody chats without signing in."""
    return "auth" in secrets()


def signed_in_user() -> SignedInUser | None:
    """The signed-in user from their ID token's claims, or None (also when sign-in is off)."""
    if not auth_configured() or not st.user.get("is_logged_in"):
        return None
    return SignedInUser.from_claims(st.user.to_dict())
