"""The sidebar's chat list and the model's window, as a visitor sees them (Chromium)."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.browser

SIDEBAR = '[data-testid="stSidebar"]'


@pytest.mark.parametrize(
    ("locale", "today", "divider"),
    [
        ("en-US", "Today", "Earlier messages are not sent to the model: window of 3 exchanges"),
        ("ja-JP", "今日", "これより前のメッセージはモデルに送られません（直近 3 往復まで）"),
    ],
)
def test_the_chat_list_opens_conversations_and_the_window_is_drawn(
    open_chat, locale, today, divider, artifacts
):
    token = uuid.uuid4().hex[:6]
    chat = open_chat(locale=locale)
    chat.send(f"ramen {token}")
    chat.wait_for_answer(f"Echo: ramen {token}", count=2)
    new_chat = "New chat" if today == "Today" else "新しいチャット"
    chat.page.locator(".st-key-stop_answer").wait_for(state="detached")  # the run after it
    chat.page.locator(SIDEBAR).get_by_role("button", name=new_chat).click()
    chat.page.locator(chat.MESSAGE).first.wait_for(state="detached")  # the empty page
    for n in range(1, 5):
        chat.send(f"train {n} {token}")
        chat.wait_for_answer(f"Echo: train {n} {token}", count=2 * n)
    sidebar = chat.page.locator(SIDEBAR)
    sidebar.get_by_text(today, exact=True).wait_for()
    chat.page.get_by_text(divider).wait_for()
    chat.page.get_by_role("heading", name=f"train 1 {token}").wait_for()
    chat.page.screenshot(path=artifacts / f"chat-list-{locale}.png")

    trains_address = chat.page.url
    sidebar.get_by_role("link", name=f"ramen {token}").click()
    chat.page.wait_for_function(
        "(t) => document.body.innerText.includes('Echo: ramen ' + t)", arg=token
    )
    chat.page.wait_for_function("(before) => location.href !== before", arg=trains_address)
    chat.page.reload()  # the address bar names the conversation on the page
    chat.page.get_by_text(f"Echo: ramen {token}").wait_for()
    assert f"train 1 {token}" not in " ".join(chat.messages())
    chat.page.get_by_role("heading", name=f"ramen {token}").wait_for()
    assert chat.page.get_by_text(divider).count() == 0  # one exchange: all of it is sent

    row = sidebar.locator('[class*="st-key-chat_row_current_"]')
    row.get_by_role("button").click()  # its ··· menu
    pin = "Pin" if today == "Today" else "ピン留め"
    chat.page.get_by_role("button", name=pin, exact=True).click()
    sidebar.get_by_text(pin + ("ned" if today == "Today" else ""), exact=True).wait_for()
    chat.page.get_by_role("button", name=pin, exact=True).wait_for(state="hidden")  # closed
    chat.page.screenshot(path=artifacts / f"chat-list-pinned-{locale}.png")


PHONE = {"width": 390, "height": 844}


def _sidebar_open(page) -> bool:
    """Whether the sidebar covers part of the page (on a phone it overlays it)."""
    box = page.locator(SIDEBAR).bounding_box()
    return box is not None and box["x"] + box["width"] > 10


def _open_sidebar(page) -> None:
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    page.wait_for_function(
        "() => { const b = document.querySelector('[data-testid=\"stSidebar\"]')"
        ".getBoundingClientRect(); return b.x + b.width > 200; }"
    )


def test_on_a_phone_picking_a_chat_closes_the_sidebar(open_chat, artifacts):
    token = uuid.uuid4().hex[:6]
    chat = open_chat()
    chat.page.set_viewport_size(PHONE)
    chat.send(f"soba {token}")
    chat.wait_for_answer(f"Echo: soba {token}", count=2)
    chat.page.locator(".st-key-retry_last").wait_for()  # the run after it
    _open_sidebar(chat.page)
    chat.page.locator(SIDEBAR).get_by_role("button", name="New chat").click()
    chat.page.locator(chat.MESSAGE).first.wait_for(state="detached")  # the empty page
    chat.page.wait_for_function("() => true")
    deadline = 50
    while _sidebar_open(chat.page) and deadline:
        chat.page.wait_for_timeout(100)
        deadline -= 1
    assert not _sidebar_open(chat.page), "New chat left the sidebar over the page"
    _open_sidebar(chat.page)
    chat.page.locator(SIDEBAR).get_by_role("link", name=f"soba {token}").click()
    chat.page.get_by_text(f"Echo: soba {token}").wait_for()
    deadline = 50
    while _sidebar_open(chat.page) and deadline:
        chat.page.wait_for_timeout(100)
        deadline -= 1
    chat.page.screenshot(path=artifacts / "chat-list-phone-picked.png")
    assert not _sidebar_open(chat.page), "the sidebar stayed over the conversation"


def test_a_rows_menu_button_is_named_for_what_it_offers(open_chat, artifacts):
    """Its tooltip and its accessible name say Share too (sharing is on in the tests)."""
    token = uuid.uuid4().hex[:6]
    chat = open_chat()
    chat.send(f"udon {token}")
    chat.wait_for_answer(f"Echo: udon {token}", count=2)
    row = chat.page.locator(SIDEBAR).locator('[class*="st-key-chat_row_current_"]')
    menu = row.get_by_role("button", name="Share, pin, rename or delete")
    menu.wait_for()
    box = menu.bounding_box()
    assert box["width"] < 60, "the words are its name, not drawn beside the icon"
    chat.page.screenshot(path=artifacts / "chat-list-menu-named.png")
