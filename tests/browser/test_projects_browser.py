"""Projects and temporary chats as a visitor uses them (Chromium, English and Japanese):
a project made from the sidebar, its instructions reaching the model, a chat started in
it saying so; a temporary chat that answers, says it is not saved, and is gone on
refresh."""

from __future__ import annotations

import uuid

import pytest

from chat_core.i18n import Translator, language_for_locale
from tests.support.scripted_server import Reply

pytestmark = pytest.mark.browser

SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'


def words(locale: str) -> Translator:
    return Translator(language_for_locale(locale))


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_a_project_made_in_the_sidebar_gives_its_chats_its_instructions(
    open_chat, model_server, artifacts, locale
):
    t = words(locale)
    chat = open_chat(locale=locale)
    page = chat.page
    name = f"論文 {uuid.uuid4().hex[:6]}" if locale == "ja-JP" else f"Thesis {uuid.uuid4().hex[:6]}"
    page.locator(SIDEBAR).get_by_role("button", name=t("projects.new")).click()
    page.get_by_label(t("projects.name")).fill(name)
    page.get_by_role("button", name=t("projects.create"), exact=True).click()
    page.get_by_role("heading", name=name).wait_for(timeout=20_000)
    assert "/project?p=" in page.url
    page.get_by_role("textbox", name=t("projects.instructions")).fill(
        "Answer in one short sentence."
    )
    page.get_by_role("button", name=t("history.save"), exact=True).click()
    page.get_by_text(t("projects.saved")).wait_for(timeout=10_000)
    page.screenshot(path=artifacts / f"project-page-{locale}.png", full_page=True)

    page.get_by_role("button", name=t("projects.new_chat")).click()
    page.locator(chat.INPUT).wait_for(timeout=20_000)
    model_server.queue(Reply.text("Start with your question."))
    chat.send("How do I begin?")
    chat.wait_for_answer("Start with your question.", count=2, timeout=30)
    (system,) = [m for m in model_server.chat_requests[-1].messages if m["role"] == "system"]
    assert system["content"].endswith("Answer in one short sentence.")
    link = page.get_by_role("link", name=t("projects.in_project", name=name))
    link.wait_for(timeout=10_000)
    page.screenshot(path=artifacts / f"project-chat-{locale}.png", full_page=True)
    link.click()
    page.locator(MAIN).get_by_role("link", name="How do I begin?").wait_for(timeout=20_000)


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_a_temporary_chat_says_it_is_not_saved_and_is_gone_on_refresh(
    open_chat, model_server, artifacts, locale
):
    t = words(locale)
    chat = open_chat(locale=locale)
    page = chat.page
    page.locator(SIDEBAR).get_by_text(t("sidebar.temporary"), exact=True).click()
    page.get_by_text(t("chat.temporary")).wait_for(timeout=20_000)
    question = f"secret {uuid.uuid4().hex[:8]}"
    model_server.queue(Reply.text("Not kept."))
    chat.send(question)
    chat.wait_for_answer("Not kept.", count=2, timeout=30)
    assert "c=" not in page.url
    assert page.locator(SIDEBAR).get_by_text(question).count() == 0  # not in the chat list
    page.screenshot(path=artifacts / f"temporary-chat-{locale}.png", full_page=True)
    page.reload()
    page.locator(chat.INPUT).wait_for(timeout=30_000)
    assert page.get_by_text(question).count() == 0
    assert page.get_by_text(t("chat.temporary")).count() == 0
