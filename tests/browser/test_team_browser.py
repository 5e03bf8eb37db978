"""Running for a team: two replicas on PostgreSQL behind Debian's HAProxy, configured by
the shipped deploy/haproxy/haproxy.cfg, with sign-in against the mock OpenID provider."""

from __future__ import annotations

import os
import uuid
from collections import Counter

import pytest

from tests.support.app_server import StreamlitProcess, settings_env
from tests.support.browser import ChatPage
from tests.support.oidc import set_claims, sign_in
from tests.support.proxy import HAProxy

pytestmark = pytest.mark.browser

POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL")
STREAM = "/_stcore/stream"


@pytest.fixture
def team(provider, _model_server, tmp_path):
    """Two replicas sharing PostgreSQL and their cookie secrets, behind the proxy."""
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must provide CHAT_TEST_DATABASE_URL (scripts/test starts one)")
        pytest.skip("needs CHAT_TEST_DATABASE_URL (scripts/test sets it)")
    replicas: list[StreamlitProcess] = []
    proxy = None
    try:
        env = settings_env(
            OPENAI_BASE_URL=_model_server.base_url,
            OPENAI_API_KEY="k",
            CHAT_MODEL="scripted-small",
            CHAT_DATABASE_URL=POSTGRES_URL,
            CHAT_ALLOWED_USERS="@example.com",
            CHAT_TRUSTED_PROXIES="127.0.0.1",
            STREAMLIT_SERVER_COOKIE_SECRET="test-cookie-secret-not-real",
        )
        secrets = tmp_path / "secrets.toml"
        replicas = [StreamlitProcess(env, args=("--secrets.files", str(secrets))) for _ in "ab"]
        proxy = HAProxy([replica.port for replica in replicas], tmp_path)
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "{proxy.url}/oauth2callback"\n'
            'cookie_secret = "test-auth-cookie-secret-not-real"\n'
            'client_id = "chat-app"\n'
            'client_secret = "test-client-secret-not-real"\n'
            f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
        )
        for replica in replicas:
            replica.wait_ready()
        yield proxy, replicas
    finally:
        if proxy is not None:
            proxy.stop()
        for replica in replicas:
            if replica.process.poll() is None:
                replica.stop()


def _streams_by_server(proxy: HAProxy) -> Counter:
    return Counter(server for server, path in proxy.requests() if path.startswith(STREAM))


def test_a_visitor_stays_on_one_replica_and_keeps_the_conversation_when_it_dies(
    browser, provider, team, artifacts
):
    proxy, replicas = team
    token = uuid.uuid4().hex[:8]
    sub = f"team-{token}"
    set_claims(provider, sub, {"email": f"{sub}@example.com", "email_verified": True})
    context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 800})
    try:
        chat = ChatPage(context.new_page())
        sign_in(chat, proxy.url, sub)  # the whole OpenID round trip goes through the proxy
        chat.page.locator(chat.INPUT).wait_for(timeout=30_000)
        chat.page.get_by_text(f"Signed in as {sub}@example.com").wait_for()
        chat.send(f"first question {token}")
        chat.wait_for_answer(f"Echo: first question {token}", count=2)
        chat.page.wait_for_url("**/?c=*")
        chat.page.reload()  # a refresh comes back to the same replica
        chat.page.get_by_text(f"Echo: first question {token}").wait_for()

        streams = _streams_by_server(proxy)
        assert len(streams) == 1 and sum(streams.values()) >= 2, streams
        (home,) = streams
        cookie = next(c for c in context.cookies() if c["name"] == "CHAT_REPLICA")
        assert cookie["httpOnly"]

        replicas[int(home.removeprefix("app")) - 1].process.kill()  # as if it crashed
        chat.page.reload()
        chat.page.get_by_text(f"Echo: first question {token}").wait_for(timeout=30_000)
        chat.page.get_by_text(f"Signed in as {sub}@example.com").wait_for()
        chat.send(f"second question {token}")
        chat.wait_for_answer(f"Echo: second question {token}", count=4)
        chat.page.screenshot(path=artifacts / "team-after-failover.png", full_page=True)

        after = _streams_by_server(proxy) - streams
        assert set(after) == {"app1", "app2"} - {home}, after
    finally:
        context.close()
