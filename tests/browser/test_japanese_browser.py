"""Japanese in Chromium: a real IME composition, and the Japanese UI."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.browser


def compose_and_confirm(page, reading: str, converted: str) -> None:
    """Type ``reading`` through the IME, then confirm ``converted`` with Enter.

    Drives the DevTools protocol the way an IME does: the composition is set,
    Enter arrives *during* the composition (key code 229, as IMEs report it),
    then the converted text is committed.
    """
    cdp = page.context.new_cdp_session(page)
    for end in range(1, len(reading) + 1):
        cdp.send(
            "Input.imeSetComposition",
            {"text": reading[:end], "selectionStart": end, "selectionEnd": end},
        )
    cdp.send(
        "Input.imeSetComposition",
        {"text": converted, "selectionStart": len(converted), "selectionEnd": len(converted)},
    )
    for kind in ("rawKeyDown", "keyUp"):
        cdp.send(
            "Input.dispatchKeyEvent",
            {"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 229},
        )
    cdp.send("Input.insertText", {"text": converted})
    cdp.detach()


def test_enter_that_confirms_an_ime_conversion_sends_nothing(open_chat, model_server):
    chat = open_chat(locale="ja-JP")
    box = chat.page.locator(chat.INPUT)
    box.click()
    compose_and_confirm(chat.page, "にほんご", "日本語")
    compose_and_confirm(chat.page, "です", "です")
    time.sleep(1.0)  # anything wrongly sent would have reached the server by now
    assert model_server.chat_requests == []
    assert chat.messages() == []
    assert box.input_value() == "日本語です"

    box.press("Enter")  # the final Enter, after the composition, sends it
    chat.wait_for_answer("Echo: 日本語です", count=2)
    assert [r.messages[-1]["content"] for r in model_server.chat_requests] == ["日本語です"]


def test_the_japanese_ui(open_chat, model_server, artifacts):
    chat = open_chat(locale="ja-JP")
    page = chat.page
    assert page.get_by_text("何をお手伝いしましょうか？").is_visible()
    assert page.locator(chat.INPUT).get_attribute("placeholder") == "メッセージを入力"
    page.get_by_text("モデルの設定").click()
    page.get_by_text("システムプロンプト").wait_for()
    chat.send("箇条書きで答えてください")
    chat.wait_for_answer("Echo: 箇条書きで答えてください", count=2)
    page.screenshot(path=artifacts / "japanese-ui.png", full_page=True)
