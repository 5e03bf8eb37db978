"""One address cannot hold the process's answers: websocket sessions against `streamlit run`.

Visitors play distinct addresses behind a trusted proxy on this machine: each session sends
its X-Forwarded-For from loopback, as the proxy would.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from bench.load_client import ChatSession
from tests.support.app_server import StreamlitProcess, settings_env
from tests.support.scripted_server import Reply, ScriptedModelServer

ATTACKER, VISITOR = "203.0.113.7", "198.51.100.9"
LONG = "word " * 3000  # minutes at the speed below: still being written when the test ends


@pytest.fixture
def app(_model_server: ScriptedModelServer, tmp_path) -> Iterator[StreamlitProcess]:
    """Eight answers at once in the process, so an address's share is two; the per-user
    cap (signed-in users of a team may need more) does not hold an address back."""
    env = settings_env(
        OPENAI_BASE_URL=_model_server.base_url,
        OPENAI_API_KEY="k",
        CHAT_MODEL="scripted-small",
        CHAT_DATA_DIR=str(tmp_path / "data"),
        CHAT_TRUSTED_PROXIES="127.0.0.1, ::1",
        CHAT_ANSWERS_TOTAL="8",
        CHAT_ANSWERS_PER_USER="8",
    )
    process = StreamlitProcess(env).wait_ready()
    yield process
    process.stop()


@pytest.fixture
def slow_answers(model_server: ScriptedModelServer) -> ScriptedModelServer:
    model_server.script = lambda _body: Reply.text(LONG, tokens_per_second=20)
    return model_server


def session_from(app: StreamlitProcess, address: str) -> ChatSession:
    return ChatSession(app.url, timeout=60, headers={"X-Forwarded-For": address})


@pytest.mark.timeout(240)
def test_one_address_gets_its_share_others_are_served_and_closed_tabs_answers_end(
    app, slow_answers
):
    tabs = [session_from(app, ATTACKER) for _ in range(3)]
    try:
        for tab in tabs[:2]:
            tab.submit("a long answer please")
            assert tab.wait_for("word word", 60)
        tabs[2].submit("and one more")
        assert tabs[2].wait_for("answers are already being written for visitors from", 60)

        visitor = session_from(app, VISITOR)
        visitor.submit("my question")
        assert visitor.wait_for("word word", 60)  # served, though the address is full
        visitor.close()
    finally:
        for tab in tabs:
            tab.close()
    # With nobody left to see them (no saved history), the closed tabs' answers end and
    # give the address its share back, long before they would have been written.
    deadline, served = time.monotonic() + 60, False
    while not served and time.monotonic() < deadline:
        time.sleep(5)
        late = session_from(app, ATTACKER)
        late.submit("again")
        served = late.wait_for("word word", 15)
        late.close()
    assert served
