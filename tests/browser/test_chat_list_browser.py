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
