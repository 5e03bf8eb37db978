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


def test_a_url_in_a_title_is_text_in_the_chat_title_the_list_and_the_shared_heading(
    open_chat, browser, artifacts
):
    """A title is text: bare addresses in it (autolinked by Streamlit's Markdown) make no
    link, and show whole, with no escape in them."""
    token = uuid.uuid4().hex[:6]
    title = f"see https://evil.example/x_{token} www.evil.example me@evil.example"
    chat = open_chat()
    chat.send(title)
    chat.wait_for_answer(f"Echo: {title}", count=2)
    chat.page.locator(".st-key-stop_answer").wait_for(state="detached")
    heading = chat.page.locator('[data-testid="stMarkdownContainer"] h4')
    heading.wait_for(timeout=30_000)
    assert "see https://evil.example/x_" in heading.inner_text().replace("\u2060", "")
    own_anchor = 'a[href^="#"][aria-label]'  # Streamlit's "Link to heading", not the title's
    assert heading.locator(f"[data-heading-text] a, a:not({own_anchor})").count() == 0
    sidebar = chat.page.locator(SIDEBAR)
    assert sidebar.get_by_text(f"x_{token}").count() == 1  # its row in the chat list
    assert sidebar.locator('a[href*="evil"]').count() == 0

    sidebar.locator('[class*="st-key-chat_row_current_"]').get_by_role("button").click()
    chat.page.get_by_role("button", name="Share", exact=True).click()
    chat.page.get_by_role("button", name="Create a link").click()
    dialog = chat.page.get_by_role("dialog")
    address = dialog.locator('[data-testid="stCode"] code').inner_text(timeout=30_000).strip()
    assert dialog.locator('a[href*="evil"]').count() == 0  # the dialog's list of links
    stranger = browser.new_context(viewport={"width": 1100, "height": 800})
    try:
        page = stranger.new_page()
        page.goto(address)
        shared_heading = page.locator("h1").filter(has_text="evil.example")
        shared_heading.wait_for(timeout=30_000)
        assert "\\" not in shared_heading.inner_text()
        assert shared_heading.locator(f"[data-heading-text] a, a:not({own_anchor})").count() == 0
        page.screenshot(path=artifacts / "shared-link-url-title.png")
    finally:
        stranger.close()


def test_a_share_link_is_copied_with_a_visible_copy_link_button(open_chat, artifacts):
    chat = open_chat(permissions=["clipboard-read", "clipboard-write"])
    chat.send("copy my link")
    chat.wait_for_answer("Echo: copy my link", count=2)
    chat.page.locator(".st-key-stop_answer").wait_for(state="detached")
    row = chat.page.locator(SIDEBAR).locator('[class*="st-key-chat_row_current_"]')
    row.get_by_role("button").click()
    chat.page.get_by_role("button", name="Share", exact=True).click()
    chat.page.get_by_role("button", name="Create a link").click()
    dialog = chat.page.get_by_role("dialog")
    address = dialog.locator('[data-testid="stCode"] code').inner_text(timeout=30_000).strip()
    buttons = dialog.get_by_role("button", name="Copy link")
    buttons.first.wait_for(timeout=30_000)
    assert buttons.count() == 2  # beside the link made, and beside it in the list
    assert buttons.first.inner_text().strip().endswith("Copy link")  # written, not hovered
    dialog.screenshot(path=artifacts / "share-copy-link.png")
    buttons.first.click()
    assert chat.page.evaluate("navigator.clipboard.readText()") == address
    buttons.last.click()  # the list's, for the same link
    assert chat.page.evaluate("navigator.clipboard.readText()") == address
