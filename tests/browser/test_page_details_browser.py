"""Details only a browser shows: line breaks, Ctrl+Enter in the edit box, the retry notice."""

from __future__ import annotations

import pytest

from tests.support.browser import ChatPage
from tests.support.scripted_server import Reply

pytestmark = pytest.mark.browser


def bubble_text(chat, number: int) -> str:
    return (
        chat.page.locator(chat.MESSAGE)
        .nth(number - 1)
        .locator('[data-testid="stMarkdown"]')
        .first.inner_text()
    )


def test_single_line_breaks_show_in_questions_and_answers(open_chat, model_server, artifacts):
    chat = open_chat(locale="ja-JP")
    model_server.queue(Reply.text("東京は日本の首都です。\nHello from the next line"))
    box = chat.page.locator(chat.INPUT)
    box.fill("Shopping list:")
    for item in ("eggs", "milk"):
        box.press("Shift+Enter")
        box.type(item)
    box.press("Enter")
    chat.wait_for_answer("Hello from the next line", count=2)
    assert bubble_text(chat, 1).splitlines() == ["Shopping list:", "eggs", "milk"]
    assert bubble_text(chat, 2).splitlines() == [
        "東京は日本の首都です。",
        "Hello from the next line",
    ]
    chat.page.screenshot(path=artifacts / "line-breaks.png", full_page=True)


def test_ctrl_enter_sends_an_edited_question(open_chat, model_server):
    chat = open_chat()
    chat.send("tow plus tow")
    chat.wait_for_answer("Echo: tow plus tow", count=2)
    chat.page.get_by_role("button", name="Edit").click()
    editor = chat.page.locator('[data-testid="stForm"] textarea')
    editor.wait_for()
    editor.fill("two plus two")
    editor.press("Control+Enter")
    chat.wait_for_answer("Echo: two plus two", count=2)
    assert [r.messages[-1]["content"] for r in model_server.chat_requests] == [
        "tow plus tow",
        "two plus two",
    ]
    assert chat.page.locator('[data-testid="stForm"]').count() == 0


def test_the_bubble_says_when_the_server_is_retried(open_chat, model_server, artifacts):
    """During the openai client's own retries the page says so, not only a cursor."""
    chat = open_chat()
    model_server.queue(
        Reply.failure(503, headers={"retry-after": "3"}),
        Reply.text("answered after a retry"),
    )
    chat.send("are you there?")
    notice = chat.page.get_by_text("The server answered 503: trying again (1 of 2)")
    notice.wait_for(timeout=10_000)
    chat.page.screenshot(path=artifacts / "retrying.png", full_page=True)
    chat.wait_for_answer("answered after a retry", count=2)
    assert notice.count() == 0


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_a_code_blocks_copy_button_shows_without_hover_on_a_touch_screen(
    browser, streamlit_server, model_server, locale, artifacts
):
    model_server.queue(Reply.text("Here:\n\n```python\nprint('こんにちは')\n```\n"))
    phone = browser.new_context(
        locale=locale, is_mobile=True, has_touch=True, viewport={"width": 390, "height": 800}
    )
    try:
        chat = ChatPage(phone.new_page()).open(streamlit_server.url)
        chat.send("code please")
        chat.wait_for_answer("print('こんにちは')", count=2)
        copy = chat.page.locator('[data-testid="stCode"] button').first
        copy.wait_for(state="visible")  # no hover on a phone: it must be there to tap
        chat.page.screenshot(path=artifacts / f"code-copy-touch-{locale}.png")
    finally:
        phone.close()
    desk = browser.new_context(locale=locale, viewport={"width": 1100, "height": 800})
    try:
        model_server.queue(Reply.text("```python\nx = 1\n```\n"))
        chat = ChatPage(desk.new_page()).open(streamlit_server.url)
        chat.send("more code")
        chat.wait_for_answer("x = 1", count=2)
        assert not chat.page.locator('[data-testid="stCode"] button').first.is_visible()
        chat.page.locator('[data-testid="stCode"]').first.hover()  # with a mouse: on hover
        chat.page.locator('[data-testid="stCode"] button').first.wait_for(state="visible")
    finally:
        desk.close()
