"""Running for a team: two replicas on PostgreSQL behind Debian's HAProxy, configured by
the shipped deploy/haproxy/haproxy.cfg, with sign-in against the mock OpenID provider;
and the limits behind that proxy, for visitors who write their own X-Forwarded-For."""

from __future__ import annotations

import os
import uuid
from collections import Counter

import pytest

from bench.load_client import ChatSession
from tests.support.app_server import StreamlitProcess, settings_env
from tests.support.browser import ChatPage
from tests.support.oidc import set_claims, sign_in
from tests.support.proxy import HAProxy

pytestmark = pytest.mark.browser

POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL")
STREAM = "/_stcore/stream"
# Seconds any one step may take. On a loaded two-core machine the surviving replica's
# first page came after more than 30 s, and the whole test took 85 s: a step waits up
# to two minutes, the test (its replicas' start included) up to ten.
PATIENCE = 120
BOUND = pytest.mark.timeout(600)


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
        proxy.wait_for_servers(up=proxy.servers)  # the proxy's own view, not the replicas'
        yield proxy, replicas
    finally:
        if proxy is not None:
            proxy.stop()
        for replica in replicas:
            if replica.process.poll() is None:
                replica.stop()


def _streams_by_server(proxy: HAProxy) -> Counter:
    return Counter(server for server, path in proxy.requests() if path.startswith(STREAM))


@BOUND
def test_a_visitor_stays_on_one_replica_and_keeps_the_conversation_when_it_dies(
    browser, provider, team, artifacts
):
    proxy, replicas = team
    token = uuid.uuid4().hex[:8]
    sub = f"team-{token}"
    set_claims(provider, sub, {"email": f"{sub}@example.com", "email_verified": True})
    context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 800})
    context.set_default_timeout(PATIENCE * 1000)
    try:
        chat = ChatPage(context.new_page())
        sign_in(chat, proxy.url, sub)  # the whole OpenID round trip goes through the proxy
        chat.page.locator(chat.INPUT).wait_for()
        chat.page.get_by_text(f"Signed in as {sub}@example.com").wait_for()
        chat.send(f"first question {token}")
        chat.wait_for_answer(f"Echo: first question {token}", count=2, timeout=PATIENCE)
        chat.page.wait_for_url("**/?c=*")
        chat.page.reload()  # a refresh comes back to the same replica
        chat.page.get_by_text(f"Echo: first question {token}").wait_for()

        streams = _streams_by_server(proxy)
        assert len(streams) == 1 and sum(streams.values()) >= 2, streams
        (home,) = streams
        cookie = next(c for c in context.cookies() if c["name"] == "CHAT_REPLICA")
        assert cookie["httpOnly"]

        replicas[int(home.removeprefix("app")) - 1].process.kill()  # as if it crashed
        # Once the proxy has seen it die: a request still waiting to retry the dead one
        # when the reload cancels it would be logged against it.
        proxy.wait_for_servers(down=[home])
        chat.page.reload()
        chat.page.get_by_text(f"Echo: first question {token}").wait_for()
        chat.page.get_by_text(f"Signed in as {sub}@example.com").wait_for()
        chat.send(f"second question {token}")
        chat.wait_for_answer(f"Echo: second question {token}", count=4, timeout=PATIENCE)
        chat.page.screenshot(path=artifacts / "team-after-failover.png", full_page=True)

        after = _streams_by_server(proxy) - streams
        assert set(after) == {"app1", "app2"} - {home}, after
    finally:
        context.close()


# The proxy's own address, as deploy/compose.yaml gives it one: uvicorn does not trust
# it, the app does (CHAT_TRUSTED_PROXIES). Visitors come from documentation addresses.
PROXY_ADDRESS = "127.0.0.2"
ATTACKER, VICTIM = "203.0.113.66", "198.51.100.77"
REFUSED = "messages in the last minute, the most allowed"


@pytest.fixture
def limited(_model_server, tmp_path):
    """One replica behind the proxy: one answer a minute per visitor, the proxy named."""
    env = settings_env(
        OPENAI_BASE_URL=_model_server.base_url,
        OPENAI_API_KEY="k",
        CHAT_MODEL="scripted-small",
        CHAT_LANGUAGE="en",
        CHAT_MESSAGES_PER_MINUTE="1",
        CHAT_TRUSTED_PROXIES=PROXY_ADDRESS,
        CHAT_DATA_DIR=str(tmp_path / "data"),
    )
    replica = StreamlitProcess(env)
    proxy = None
    try:
        replica.wait_ready()
        proxy = HAProxy([replica.port], tmp_path, source=PROXY_ADDRESS, proxy_protocol=True)
        proxy.wait_for_servers(up=proxy.servers)
        yield proxy
    finally:
        if proxy is not None:
            proxy.stop()
        replica.stop()


def _ask(proxy: HAProxy, address: str, question: str, forwarded_for: str | None = None) -> str:
    """What a new tab of the visitor at ``address`` gets: "answered" or "refused"."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else None
    session = ChatSession(
        proxy.url, timeout=PATIENCE, headers=headers, sock=proxy.connect_as(address)
    )
    try:
        session.submit(question)
        shown = session.first_of(f"Echo: {question}", REFUSED, timeout=PATIENCE)
    finally:
        session.close()
    return {f"Echo: {question}": "answered", REFUSED: "refused"}.get(shown, f"nothing: {shown}")


@BOUND
def test_behind_the_proxy_a_written_x_forwarded_for_neither_renews_nor_borrows_an_identity(
    limited,
):
    proxy = limited
    # Naming the victim's address, before the victim has sent anything...
    assert _ask(proxy, ATTACKER, "as the victim", forwarded_for=VICTIM) == "answered"
    # ...spends the attacker's answer, not the victim's.
    assert _ask(proxy, VICTIM, "the victim's own") == "answered"
    # A new address written in each new tab is no new visitor.
    for n in range(1, 4):
        assert _ask(proxy, ATTACKER, f"spoof {n}", forwarded_for=f"6.6.6.{n}") == "refused"
    assert _ask(proxy, VICTIM, "the victim again") == "refused"  # the limit holds for both
