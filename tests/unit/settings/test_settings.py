from pathlib import Path

import pytest

from chat_core.settings.settings import Settings, with_overrides
from chat_core.settings.sources import read_dotenv, resolve_settings


def test_defaults_follow_the_seed():
    settings, problems = resolve_settings([])
    assert problems == ()
    assert (settings.temperature, settings.max_tokens, settings.history_window) == (0.0, 512, 3)
    assert settings.api_key is None and not settings.has_endpoint


def test_earlier_sources_win_and_blank_values_count_as_unset():
    secrets = {"OPENAI_API_KEY": "from-secrets", "CHAT_MODEL": "secret-model"}
    environ = {"OPENAI_API_KEY": "from-env", "CHAT_MODEL": "  ", "CHAT_MAX_TOKENS": "100"}
    dotenv = {"CHAT_MAX_TOKENS": "200", "CHAT_HISTORY_WINDOW": "5"}
    settings, _ = resolve_settings([secrets, environ, dotenv])
    assert settings.api_key == "from-secrets"
    assert settings.model == "secret-model"
    assert settings.max_tokens == 100
    assert settings.history_window == 5


def test_values_from_toml_secrets_may_be_numbers():
    settings, problems = resolve_settings([{"CHAT_TEMPERATURE": 0.7, "CHAT_MAX_TOKENS": 64}])
    assert problems == ()
    assert (settings.temperature, settings.max_tokens) == (0.7, 64)


def test_a_bad_value_is_reported_and_the_default_kept():
    settings, problems = resolve_settings(
        [{"CHAT_TEMPERATURE": "hot", "CHAT_MAX_TOKENS": "0", "OPENAI_BASE_URL": "localhost:1"}]
    )
    assert settings.temperature == 0.0 and settings.max_tokens == 512 and settings.base_url is None
    assert {p.name for p in problems} == {"CHAT_TEMPERATURE", "CHAT_MAX_TOKENS", "OPENAI_BASE_URL"}


def test_a_bad_key_is_never_echoed():
    # A key can't be "bad" by parsing, but the masking must hold for any future check.
    _, problems = resolve_settings([{"OPENAI_API_KEY": "sk-secret"}])
    assert problems == ()
    assert "sk-secret" not in repr(Settings(api_key="sk-secret"))


def test_base_url_and_language_are_normalised():
    settings, _ = resolve_settings(
        [{"OPENAI_BASE_URL": "http://localhost:11434/v1/", "CHAT_LANGUAGE": "JA"}]
    )
    assert settings.base_url == "http://localhost:11434/v1"
    assert settings.language == "ja"
    assert settings.has_endpoint
    assert resolve_settings([{"CHAT_LANGUAGE": "auto"}])[0].language is None


def test_dotenv_is_read_without_touching_the_environment(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("CHAT_MODEL", raising=False)
    path = tmp_path / ".env"
    path.write_text("CHAT_MODEL=from-dotenv\n# comment\nEMPTY\n")
    assert read_dotenv(path) == {"CHAT_MODEL": "from-dotenv"}
    assert read_dotenv(tmp_path / "missing.env") == {}
    import os

    assert "CHAT_MODEL" not in os.environ


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"temperature": 5}, {"temperature": 2.0}),
        ({"temperature": -1}, {"temperature": 0.0}),
        ({"max_tokens": 10**9}, {"max_tokens": 32_768}),
        ({"history_window": 7.9}, {"history_window": 7}),
        ({"system_prompt": "   "}, {"system_prompt": None}),
        ({"model": "  other  "}, {"model": "other"}),
        ({"api_key": None, "unknown": 1}, {"api_key": "configured"}),
    ],
)
def test_visitor_overrides_are_clamped_and_blank_keeps_the_configured_value(overrides, expected):
    settings = with_overrides(Settings(api_key="configured"), overrides)
    for name, value in expected.items():
        assert getattr(settings, name) == value


@pytest.mark.parametrize(
    ("source", "has_endpoint"),
    [
        ({}, False),
        ({"OPENAI_API_KEY": "k"}, True),
        ({"OPENAI_BASE_URL": "http://localhost:11434/v1"}, True),
        ({"OPENAI_BASE_URL": "http://vllm:8000/v1", "CHAT_REQUIRE_KEY": "yes"}, False),
        ({"CHAT_REQUIRE_KEY": "false"}, True),
    ],
)
def test_a_key_is_required_for_openai_and_optional_for_a_base_url(source, has_endpoint):
    assert resolve_settings([source])[0].has_endpoint is has_endpoint


def test_booleans_and_input_limit_parse():
    settings, problems = resolve_settings(
        [{"CHAT_REQUIRE_KEY": "maybe", "CHAT_MAX_INPUT_CHARS": "2000"}]
    )
    assert settings.require_key is None and settings.max_input_chars == 2000
    assert [p.name for p in problems] == ["CHAT_REQUIRE_KEY"]


def test_reasoning_effort_is_one_of_the_known_ones():
    settings, problems = resolve_settings([{"CHAT_REASONING_EFFORT": "HIGH"}])
    assert settings.reasoning_effort == "high" and problems == ()
    _, problems = resolve_settings([{"CHAT_REASONING_EFFORT": "extreme"}])
    assert [p.name for p in problems] == ["CHAT_REASONING_EFFORT"]
    assert with_overrides(settings, {"reasoning_effort": "low"}).reasoning_effort == "low"
    assert with_overrides(settings, {"reasoning_effort": "bogus"}).reasoning_effort == "high"
