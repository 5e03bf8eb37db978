"""A shared link, made from the chat list and opened in a fresh browser (Chromium)."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.browser

SIDEBAR = '[data-testid="stSidebar"]'
WORDS = {
    "en-US": {"share": "Share", "create": "Create a link", "gone": "Link not found"},
    "ja-JP": {"share": "共有", "create": "リンクを作成", "gone": "リンクが見つかりません"},
}


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_a_shared_link_opens_read_only_in_a_fresh_browser(
    open_chat, browser, streamlit_server, locale, artifacts
):
    words, token = WORDS[locale], uuid.uuid4().hex[:6]
    chat = open_chat(locale=locale)
    chat.send(f"ramen recipe {token}")
    chat.wait_for_answer(f"Echo: ramen recipe {token}", count=2)
    chat.page.locator(".st-key-stop_answer").wait_for(state="detached")
    row = chat.page.locator(SIDEBAR).locator('[class*="st-key-chat_row_current_"]')
    row.get_by_role("button").click()  # its ··· menu
    chat.page.get_by_role("button", name=words["share"], exact=True).click()
    chat.page.get_by_role("button", name=words["create"]).click()
    dialog = chat.page.get_by_role("dialog")
    address = dialog.locator('[data-testid="stCode"] code').inner_text(timeout=30_000).strip()
    assert "/shared?s=" in address and address.startswith(streamlit_server.url)
    chat.page.screenshot(path=artifacts / f"share-dialog-{locale}.png")

    stranger = browser.new_context(locale=locale, viewport={"width": 1100, "height": 800})
    try:
        page = stranger.new_page()
        page.goto(address)
        page.get_by_text(f"Echo: ramen recipe {token}").wait_for(timeout=30_000)
        assert page.locator('[data-testid="stChatInput"]').count() == 0  # read-only
        page.screenshot(path=artifacts / f"shared-link-{locale}.png")

        revoke = "Revoke" if locale == "en-US" else "取り消す"
        dialog.get_by_role("button", name=revoke).click()
        dialog.get_by_role("button", name=revoke).wait_for(state="detached")
        page.reload()
        page.get_by_text(words["gone"]).wait_for(timeout=30_000)
        assert f"ramen recipe {token}" not in page.inner_text("body")
    finally:
        stranger.close()
