"""The mock OpenID Connect provider's helpers: set a user's claims, sign in through it."""

from __future__ import annotations

import json
import urllib.request

from tests.support.browser import ChatPage

__all__ = ["set_claims", "sign_in"]


def set_claims(provider: str, sub: str, claims: dict) -> None:
    request = urllib.request.Request(
        f"{provider}/users/{sub}",
        data=json.dumps(claims).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 204


def sign_in(chat: ChatPage, url: str, sub: str) -> None:
    chat.page.goto(url)
    chat.page.get_by_role("button", name="Sign in").click()
    chat.page.locator("input[name=sub]").fill(sub)
    chat.page.get_by_role("button", name="Authorize").click()
