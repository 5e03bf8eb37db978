"""Small things of a polished chat page: a code block's language, a button back to the
answer being written, and an empty page that fits a phone. In English and Japanese."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from chat_core.files.attachments import MAX_FILES
from chat_core.i18n import Translator, catalogue, language_for_locale
from tests.support.browser import ChatPage
from tests.support.scripted_server import Reply

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SCROLLER = '[data-testid="stAppScrollToBottomContainer"]'  # the main section scrolls


def translator(locale: str) -> Translator:
    return Translator(language_for_locale(locale))


# ---------------------------------------------------------------- code block labels

CODE_ANSWER = (
    "Here:\n\n```python\nprint('こんにちは')\n```\n\nPlain:\n\n```\nno language here\n```\n"
)

# Where a block's code starts and how wide "python" is in its label's font.
_BLOCK_GEOMETRY = """
(block) => {
  const code = block.querySelector('code');
  const box = block.getBoundingClientRect();
  const label = getComputedStyle(code, '::before');
  const context = document.createElement('canvas').getContext('2d');
  context.font = `${label.fontSize} ${label.fontFamily}`;
  return {
    codeTop: code.getBoundingClientRect().top - box.top,
    left: box.left,
    python: context.measureText('python').width,
  };
}
"""


def ink_box(png: bytes, *, height: float, width: float) -> tuple[int, int, int, int] | None:
    """The bounding box of what is drawn in the top strip of a block's screenshot (what
    differs from the block's background), or None when nothing is."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    strip = image.crop((0, 0, int(width), int(height)))
    background = max(strip.getcolors(strip.width * strip.height))[1]
    inked = [
        (x, y)
        for y in range(strip.height)
        for x in range(strip.width)
        if max(abs(a - b) for a, b in zip(strip.getpixel((x, y)), background, strict=True)) > 60
    ]
    if not inked:
        return None
    xs, ys = [x for x, _ in inked], [y for _, y in inked]
    return min(xs), min(ys), max(xs), max(ys)


@pytest.mark.parametrize(("locale", "viewport"), [("en-US", None), ("ja-JP", PHONE)])
def test_a_code_block_shows_its_language(open_chat, model_server, locale, viewport, artifacts):
    chat = open_chat(locale=locale)
    if viewport:
        chat.page.set_viewport_size(viewport)
    model_server.queue(Reply.text(CODE_ANSWER))
    chat.send("code please")
    chat.wait_for_answer("no language here", count=2)
    # The label is not part of the code: it is neither in the text nor copied.
    assert "python" not in chat.messages()[1]
    python, plain = (
        chat.page.locator(f"{chat.MESSAGE} >> nth=1").locator('[data-testid="stCode"]').all()
    )
    chat.page.mouse.move(0, 0)  # no hover: Streamlit's copy button hides on a desk

    geometry = python.evaluate(_BLOCK_GEOMETRY)
    strip = geometry["codeTop"]
    label = ink_box(python.screenshot(), height=strip, width=python.bounding_box()["width"])
    assert label is not None, "no language label above the python code"
    left, _, right, bottom = label
    assert 12 <= left <= 20  # at the block's padding, 1rem from its left edge
    # "python", not "language-python" (the class it is read from): the width of 6 letters.
    assert abs((right - left + 1) - geometry["python"]) <= 4, (label, geometry)
    assert bottom < strip - 4  # wholly above the first line of code, not touching it

    plain_geometry = plain.evaluate(_BLOCK_GEOMETRY)
    width = plain.bounding_box()["width"]
    assert ink_box(plain.screenshot(), height=plain_geometry["codeTop"], width=width) is None

    python.hover()  # Streamlit's copy button, top right, stays clear of the label
    copy = python.locator("button").first
    copy.wait_for(state="visible")
    assert geometry["left"] + right < copy.bounding_box()["x"] - 8
    chat.page.screenshot(path=artifacts / f"code-language-{locale}.png")


# ---------------------------------------------------------------- jump to latest

LONG_ANSWER = "\n\n".join(f"Step {n}: keep on reading." for n in range(1, 400))

_GAP = f"""() => {{
  const m = document.querySelector('{SCROLLER}');
  return {{ gap: m.scrollHeight - m.scrollTop - m.clientHeight, height: m.scrollHeight }};
}}"""


def wait_until(check, *, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.mark.parametrize(("locale", "viewport"), [("en-US", None), ("ja-JP", PHONE)])
def test_a_reader_who_scrolled_up_can_jump_back_to_the_answer(
    open_chat, model_server, locale, viewport, artifacts
):
    t = translator(locale)
    chat = open_chat(locale=locale)
    if viewport:
        chat.page.set_viewport_size(viewport)
    model_server.queue(Reply.text(LONG_ANSWER, tokens_per_second=40))
    chat.send("a long answer, please")
    page = chat.page
    gap = lambda: page.evaluate(_GAP)  # noqa: E731
    jump = page.get_by_role("button", name=t("chat.jump_to_latest"), include_hidden=True)
    jump.wait_for(state="attached", timeout=15_000)
    assert page.locator(".st-key-jump_to_latest").count() == 1  # one per run, not per token
    wait_until(lambda: gap()["height"] > page.viewport_size["height"] + 600, what="a long page")
    # Streamlit follows the answer at the bottom: no button there.
    assert gap()["gap"] < 150
    assert jump.is_hidden()

    page.mouse.move(page.viewport_size["width"] / 2, 300)
    page.mouse.wheel(0, -500)  # the reader scrolls up to read, once
    jump.wait_for(state="visible", timeout=5_000)
    input_box = page.locator('[data-testid="stChatInput"]').bounding_box()
    button = jump.bounding_box()
    assert button["y"] + button["height"] <= input_box["y"]  # above the chat input
    assert abs(button["x"] + button["width"] / 2 - (input_box["x"] + input_box["width"] / 2)) < 2
    assert button["y"] > input_box["y"] - 80  # close to it, not somewhere in the page
    assert jump.get_attribute("title") == t("chat.jump_to_latest")
    # The answer grows below; the page stays where the reader is, not pulled back down.
    top = page.evaluate(f"() => document.querySelector('{SCROLLER}').scrollTop")
    time.sleep(1.5)
    assert page.evaluate(f"() => document.querySelector('{SCROLLER}').scrollTop") == top
    assert gap()["gap"] > 300
    assert jump.is_visible()
    page.screenshot(path=artifacts / f"jump-to-latest-{locale}.png")

    jump.click()
    wait_until(lambda: gap()["gap"] <= 8, timeout=10, what="the bottom of the page")
    jump.wait_for(state="hidden", timeout=5_000)
    # The page follows the answer again as it grows.
    grown_from = gap()["height"]
    wait_until(lambda: gap()["height"] > grown_from + 400, what="the answer to grow")
    assert gap()["gap"] < 150  # a step or two behind at most, not 400 px
    assert jump.is_hidden()
    page.screenshot(path=artifacts / f"jump-to-latest-followed-{locale}.png")

    page.mouse.wheel(0, -400)  # and the reader can leave the bottom again
    jump.wait_for(state="visible", timeout=5_000)
    time.sleep(1.0)
    assert gap()["gap"] > 300

    page.locator(".st-key-stop_answer button").click()  # no job is left running
    # Only while an answer is written: the run after it draws no button.
    wait_until(lambda: page.locator(".st-key-jump_to_latest").count() == 0, what="the end")


# ---------------------------------------------------------------- empty page on a phone


def settled(locator) -> bool:
    """Whether ``locator``'s box stays the same for a moment (an animation has ended)."""
    first = locator.bounding_box()
    time.sleep(0.3)
    return first == locator.bounding_box()


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_the_empty_page_fits_a_phone_with_the_limits_folded(
    browser, streamlit_server, model_server, locale, artifacts
):
    language = language_for_locale(locale)
    t = Translator(language)
    rules_start = catalogue(language)["attachment.rules"].split("{")[0]
    phone = browser.new_context(locale=locale, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        chat = ChatPage(phone.new_page()).open(streamlit_server.url)
        page = chat.page
        heading = page.get_by_role("heading", name=t("chat.empty_title"))
        heading.wait_for()
        fold = page.get_by_text(t("chat.attachment_rules_fold"), exact=True)
        fold.wait_for()
        rules = page.get_by_text(rules_start)
        assert rules.is_hidden()  # folded

        # The whole page is in view: the chat input without scrolling, nothing cut off.
        assert page.evaluate(
            f"""() => {{
          const m = document.querySelector('{SCROLLER}');
          return m.scrollHeight <= m.clientHeight && m.scrollWidth <= m.clientWidth;
        }}"""
        )
        for part in (heading, fold, page.locator(chat.INPUT)):
            box = part.bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], part
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], part
        page.screenshot(path=artifacts / f"empty-phone-{locale}.png")

        fold.click()
        rules.wait_for(state="visible")
        opened = page.locator('[data-testid="stMainBlockContainer"] [data-testid="stExpander"]')
        wait_until(lambda: settled(opened), timeout=5, what="the fold to open")
        assert str(MAX_FILES) in rules.inner_text()  # the limits themselves
        shown, fold_box = rules.bounding_box(), opened.bounding_box()
        assert shown["y"] + shown["height"] <= fold_box["y"] + fold_box["height"]  # all shown
        assert shown["y"] + shown["height"] <= page.locator(chat.INPUT).bounding_box()["y"]
        page.screenshot(path=artifacts / f"empty-phone-open-{locale}.png")
    finally:
        phone.close()
