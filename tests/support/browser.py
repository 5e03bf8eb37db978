"""Debian's Chromium driven by Playwright, and helpers for the chat page."""

from __future__ import annotations

import os
import time

from playwright.sync_api import Browser, Page, Playwright

__all__ = ["CHROMIUM", "ChatPage", "launch_chromium"]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_chromium(playwright: Playwright) -> Browser:
    """Never ``playwright install``: the machine's own Chromium is used."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# A bubble's message: its Markdown blocks (a streaming answer has one per settled
# paragraph), without button labels, captions or alerts.
_MESSAGE_TEXT = """
const messageText = (bubble) => Array.from(
  bubble.querySelectorAll('[data-testid="stMarkdown"]')
).filter((block) => !block.querySelector('[data-testid="stCaptionContainer"]')
  && !block.closest('[data-testid="stAlert"], button')
).map((block) => block.innerText).join('\\n\\n');
"""

_RECORDER = """
() => {
  /*MESSAGE_TEXT*/
  window.__answerSnapshots = [];
  const record = () => {
    const bubbles = document.querySelectorAll('[data-testid="stChatMessage"]');
    const last = bubbles[bubbles.length - 1];
    if (!last) return;
    const text = messageText(last);
    const snaps = window.__answerSnapshots;
    if (!snaps.length || snaps[snaps.length - 1][1] !== text) {
      snaps.push([performance.now(), text]);
    }
  };
  new MutationObserver(record).observe(document.body, {
    subtree: true, childList: true, characterData: true,
  });
}
""".replace("/*MESSAGE_TEXT*/", _MESSAGE_TEXT)


_MESSAGE_TEXTS = """
() => {
  /*MESSAGE_TEXT*/
  return Array.from(document.querySelectorAll('[data-testid="stChatMessage"]')).map(messageText);
}
""".replace("/*MESSAGE_TEXT*/", _MESSAGE_TEXT)


class ChatPage:
    """What a person does on the chat page, in Playwright terms."""

    MESSAGE = '[data-testid="stChatMessage"]'
    INPUT = '[data-testid="stChatInputTextArea"]'
    SUBMIT = '[data-testid="stChatInputSubmitButton"]'

    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, url: str) -> ChatPage:
        self.page.goto(url)
        self.page.locator(self.INPUT).wait_for(state="visible", timeout=30_000)
        return self

    def send(self, text: str) -> None:
        """Type ``text`` and press Enter once the send button is enabled, as a person
        would: while an attachment is still uploading, Enter does nothing (on a busy
        machine the upload can outlast the typing)."""
        box = self.page.locator(self.INPUT)
        box.fill(text)
        self.page.locator(f"{self.SUBMIT}:enabled").wait_for(timeout=30_000)
        box.press("Enter")

    def record_answers(self) -> None:
        """Record, with timestamps, every text the last bubble's Markdown shows."""
        self.page.evaluate(_RECORDER)

    def recorded(self) -> list[tuple[float, str]]:
        return [(t, text) for t, text in self.page.evaluate("window.__answerSnapshots")]

    def messages(self) -> list[str]:
        """The text of each bubble's message (its first Markdown block), in order."""
        return self.page.evaluate(_MESSAGE_TEXTS)

    def bubbles(self) -> list[str]:
        """Everything each bubble shows, captions and buttons included."""
        return self.page.locator(self.MESSAGE).all_inner_texts()

    def wait_for_answer(self, expected: str, *, count: int, timeout: float = 30.0) -> str:
        """Wait until bubble number ``count`` (1-based) ends with ``expected``, cursor gone.

        ``expected`` must not end the question too: while the page redraws after an
        answer, the bubble at ``count`` can briefly be the question.
        """
        deadline = time.monotonic() + timeout
        last: list[str] = []
        while time.monotonic() < deadline:
            last = self.messages()
            if len(last) >= count and last[count - 1].strip().endswith(expected):
                self.page.locator(self.INPUT).wait_for(state="visible")
                if self.page.locator(f"{self.INPUT}:enabled").count():
                    return last[count - 1]
            time.sleep(0.05)
        raise AssertionError(f"no answer ending {expected!r} in bubble {count}; saw {last!r}")
