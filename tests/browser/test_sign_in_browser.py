"""Sign-in with st.login against a local OpenID Connect provider (oidc-provider-mock)."""

from __future__ import annotations

import pytest

from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from tests.support.app_server import StreamlitProcess, free_port, settings_env
from tests.support.browser import ChatPage
from tests.support.oidc import set_claims, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_with_sign_in(provider, _model_server, tmp_path_factory):
    port = free_port()
    folder = tmp_path_factory.mktemp("auth")
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-not-real"\n'
        'client_id = "chat-app"\n'
        'client_secret = "test-client-secret-not-real"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    data = folder / "data"
    env = settings_env(
        OPENAI_BASE_URL=_model_server.base_url,
        OPENAI_API_KEY="k",
        CHAT_MODEL="scripted-small",
        CHAT_ALLOWED_USERS="@example.com",
        CHAT_DATA_DIR=str(data),
    )
    process = StreamlitProcess(
        env, port=port, host="127.0.0.1", args=("--secrets.files", str(secrets))
    )
    process.wait_ready()
    yield process, data
    process.stop()


def test_nobody_chats_without_signing_in_and_owners_are_the_signed_in_users(
    browser, provider, app_with_sign_in, model_server, artifacts
):
    app, data = app_with_sign_in
    claims = {"email": "alice@example.com", "email_verified": True, "name": "Alice"}
    set_claims(provider, "alice", claims)
    store = ConversationStore(sqlite_url(data))
    # What an earlier version kept under the e-mail moves to Alice's new key on sign-in.
    store.create("user:alice@example.com", title="from before", settings={})
    context = browser.new_context(locale="en-US")
    try:
        chat = ChatPage(context.new_page())
        chat.page.goto(app.url)
        chat.page.get_by_role("button", name="Sign in").wait_for()
        assert chat.page.locator(chat.INPUT).count() == 0
        sign_in(chat, app.url, "alice")
        chat.page.locator(chat.INPUT).wait_for(timeout=30_000)
        chat.page.get_by_text("Signed in as alice@example.com").wait_for()
        chat.send("hello as alice")
        chat.wait_for_answer("Echo: hello as alice", count=2)
        chat.page.screenshot(path=artifacts / "signed-in.png", full_page=True)
    finally:
        context.close()
    alice = f"oidc:{provider}#alice"  # issuer and subject, not the e-mail
    assert [s.title for s in store.list(alice)] == ["hello as alice", "from before"]
    assert store.list("user:alice@example.com") == []
    assert store.list("local") == []


def test_an_unverified_email_is_not_let_in_as_its_owner(browser, provider, app_with_sign_in):
    """Mallory's provider account claims Alice's address without verifying it."""
    app, _ = app_with_sign_in
    set_claims(provider, "mallory-2", {"email": "alice@example.com", "email_verified": False})
    context = browser.new_context(locale="en-US")
    try:
        chat = ChatPage(context.new_page())
        sign_in(chat, app.url, "mallory-2")
        chat.page.get_by_text("alice@example.com is not allowed").wait_for(timeout=30_000)
        chat.page.get_by_text("not verified").wait_for()
        assert chat.page.locator(chat.INPUT).count() == 0
        assert chat.page.get_by_text("hello as alice").count() == 0
    finally:
        context.close()


def test_a_user_outside_the_allow_list_is_refused(browser, provider, app_with_sign_in):
    app, _ = app_with_sign_in
    set_claims(provider, "mallory", {"email": "mallory@elsewhere.org"})
    context = browser.new_context(locale="en-US")
    try:
        chat = ChatPage(context.new_page())
        sign_in(chat, app.url, "mallory")
        chat.page.get_by_text("mallory@elsewhere.org is not allowed").wait_for(timeout=30_000)
        assert chat.page.locator(chat.INPUT).count() == 0
    finally:
        context.close()
