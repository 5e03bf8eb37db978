"""Presets as a visitor uses them (Chromium, English and Japanese): one picked on the
empty page sets the next request's system prompt; one saved from the sidebar is offered
on the next new chat."""

from __future__ import annotations

import time
import uuid

import pytest
from playwright.sync_api import expect

from chat_core.i18n import Translator, language_for_locale
from chat_core.settings.presets import shipped_presets
from tests.support.browser import ChatPage

pytestmark = pytest.mark.browser

SIDEBAR = '[data-testid="stSidebar"]'
PICKER = ".st-key-preset_choice"
PHONE = {"width": 390, "height": 844}
SCROLLER = '[data-testid="stAppScrollToBottomContainer"]'  # the main section scrolls


def _system(request) -> str:
    (system,) = [m["content"] for m in request.messages if m["role"] == "system"]
    return system


def _picker(page):
    return page.locator(PICKER).get_by_role("combobox")


def _pick(page, name: str, shot=None) -> None:
    """Open the picker and choose ``name``, then wait for the run it starts to end."""
    _picker(page).click()
    option = page.get_by_role("option", name=name, exact=True)
    if shot is not None:
        option.wait_for()
        page.screenshot(path=shot)
    option.click()
    expect(_picker(page)).to_have_value(name)
    time.sleep(0.5)  # the run the choice started
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=10_000)


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_a_shipped_preset_picked_on_the_empty_page_sets_the_system_prompt(
    open_chat, model_server, locale, artifacts
):
    language = language_for_locale(locale)
    t = Translator(language)
    reviewer = next(p for p in shipped_presets(language) if p.id == "code-reviewer")
    chat = open_chat(locale=locale)
    page = chat.page
    expect(_picker(page)).to_have_value(t("presets.default"))
    _pick(page, reviewer.name, shot=artifacts / f"presets-options-{locale}.png")
    page.screenshot(path=artifacts / f"presets-picked-{locale}.png")

    token = uuid.uuid4().hex[:6]
    chat.send(f"def f(): return {token}")
    chat.wait_for_answer(f"Echo: def f(): return {token}", count=2)
    request = model_server.chat_requests[-1]
    assert _system(request) == reviewer.system_prompt
    assert request.body["temperature"] == 0.2
    page.screenshot(path=artifacts / f"presets-answered-{locale}.png")


def test_a_preset_saved_from_the_sidebar_is_offered_on_a_new_chat(
    open_chat, model_server, artifacts
):
    t = Translator("en")
    name = f"Pirate **{uuid.uuid4().hex[:4]}**"  # Markdown in a name stays text
    chat = open_chat(locale="en-US")
    page = chat.page
    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_text(t("sidebar.model_settings")).click()
    prompt = sidebar.get_by_role("textbox", name=t("sidebar.system_prompt"))
    prompt.fill("Answer like a pirate.")
    prompt.press("Control+Enter")  # the text area's value goes to the server
    expect(_picker(page)).to_have_value(t("presets.custom"))

    sidebar.get_by_role("button", name=t("presets.save")).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(t("presets.name")).fill(name)
    page.screenshot(path=artifacts / "presets-save-dialog-en-US.png")
    dialog.get_by_role("button", name=t("presets.save_button"), exact=True).click()
    dialog.wait_for(state="detached")
    expect(_picker(page)).to_have_value(name)  # listed, and in use
    page.screenshot(path=artifacts / "presets-saved-en-US.png")

    sidebar.get_by_role("button", name=t("presets.save")).click()  # the list, to delete
    listed = page.get_by_role("dialog").get_by_text(name, exact=True)
    listed.wait_for()
    page.screenshot(path=artifacts / "presets-own-list-en-US.png")
    page.get_by_role("dialog").locator('[class*="st-key-preset_delete_"] button').first.click()
    listed.wait_for(state="detached")
    page.get_by_role("dialog").get_by_role("button", name="Close").click()  # its close button
    page.get_by_role("dialog").wait_for(state="detached")
    expect(_picker(page)).to_have_value(t("presets.custom"))  # what it set stays
    _picker(page).click()
    page.get_by_role("option", name=t("presets.default"), exact=True).wait_for()
    assert page.get_by_role("option", name=name, exact=True).count() == 0


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_the_picker_keeps_the_empty_page_on_one_phone_screen(
    browser, streamlit_server, model_server, locale, artifacts
):
    t = Translator(language_for_locale(locale))
    phone = browser.new_context(locale=locale, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = ChatPage(phone.new_page()).open(streamlit_server.url).page
        expect(_picker(page)).to_have_value(t("presets.default"))
        assert page.evaluate(
            """(scroller) => {
              const m = document.querySelector(scroller);
              return m.scrollHeight <= m.clientHeight && m.scrollWidth <= m.clientWidth;
            }""",
            SCROLLER,
        )
        box = page.locator(PICKER).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["y"] + box["height"] <= page.locator(ChatPage.INPUT).bounding_box()["y"]
        page.screenshot(path=artifacts / f"presets-phone-{locale}.png")
    finally:
        phone.close()
