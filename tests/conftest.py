"""Fixtures: the scripted model server, the app under AppTest, and the app in Chromium."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from tests.support.app_server import ROOT, SETTING_NAMES, StreamlitProcess, new_app, settings_env
from tests.support.databases import POSTGRES_URL
from tests.support.scripted_server import ScriptedModelServer

TEST_KEY = "test-key-not-real"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> ConversationStore:
    """A store on SQLite, and the same test again on PostgreSQL."""
    if request.param == "sqlite":
        return ConversationStore(sqlite_url(tmp_path / "data"))
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL: set CHAT_TEST_DATABASE_URL (scripts/test does)")
    return ConversationStore(POSTGRES_URL)


@pytest.fixture
def owner() -> str:
    """An owner no other test uses (PostgreSQL is shared by the whole run)."""
    return f"owner-{uuid.uuid4()}"


ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def _model_server() -> Iterator[ScriptedModelServer]:
    with ScriptedModelServer() as server:
        yield server


@pytest.fixture
def model_server(_model_server: ScriptedModelServer) -> Iterator[ScriptedModelServer]:
    """The scripted server, with no queued replies and no recorded requests."""
    _model_server.reset()
    yield _model_server
    _model_server.reset()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> pytest.MonkeyPatch:
    """No app setting in the environment, no developer's .env, a fresh data folder."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CHAT_DOTENV_FILE", "/nonexistent/.env")
    monkeypatch.setenv("CHAT_DATA_DIR", str(tmp_path / "data"))
    # A title request after each first answer would race the requests tests look at;
    # the tests of titles turn it back on.
    monkeypatch.setenv("CHAT_AUTO_TITLES", "false")
    return monkeypatch


@pytest.fixture
def app(clean_env: pytest.MonkeyPatch, model_server: ScriptedModelServer) -> AppTest:
    """The app under AppTest, configured to use the scripted server."""
    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    clean_env.setenv("OPENAI_API_KEY", TEST_KEY)
    clean_env.setenv("CHAT_MODEL", "scripted-small")
    return new_app()


@pytest.fixture(scope="session")
def streamlit_server(
    _model_server: ScriptedModelServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitProcess]:
    """The app under ``streamlit run``, talking to the scripted server."""
    env = settings_env(
        OPENAI_BASE_URL=_model_server.base_url,
        OPENAI_API_KEY=TEST_KEY,
        CHAT_MODEL="scripted-small",
        CHAT_DATA_DIR=str(tmp_path_factory.mktemp("app-data")),
        # Every browser here comes from loopback, so all are the one local user, whose
        # answers at once are capped (2 by default): the tests play up to 10 visitors.
        CHAT_ANSWERS_PER_USER="16",
        CHAT_SHARING="true",  # off by default; the share test opens links
    )
    process = StreamlitProcess(env).wait_ready()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    from tests.support.browser import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def artifacts() -> object:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
