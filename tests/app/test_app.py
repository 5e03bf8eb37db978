"""The chat page under Streamlit's AppTest, talking to the scripted server."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from chat_core.prompt.system_prompts import DEFAULT_SYSTEM_PROMPTS
from chat_core.provider import local_server
from components.sidebar import MODEL_SETTINGS_OPEN
from tests.support.app_server import new_app, open_model_settings
from tests.support.scripted_server import Reply


def bubbles(at: AppTest) -> list[tuple[str, str]]:
    return [
        (message.name, "\n".join(md.value for md in message.markdown))
        for message in at.chat_message
    ]


def send(at: AppTest, text: str) -> AppTest:
    at.chat_input[0].set_value(text).run()
    assert not at.exception, at.exception
    return at


def test_a_message_round_trip(app, model_server):
    app.run()
    assert not app.exception
    send(app, "hello there")
    assert bubbles(app) == [("user", "hello there"), ("assistant", "Echo: hello there")]
    assert len(model_server.chat_requests) == 1


def test_the_sixth_request_carries_system_and_three_exchanges(app, model_server):
    app.run()
    for i in range(1, 7):
        send(app, f"message {i}")
    assert len(bubbles(app)) == 12
    sixth = model_server.chat_requests[5]
    assert [(m["role"], m["content"]) for m in sixth.messages] == [
        ("system", DEFAULT_SYSTEM_PROMPTS["en"]),
        ("user", "message 3"),
        ("assistant", "Echo: message 3"),
        ("user", "message 4"),
        ("assistant", "Echo: message 4"),
        ("user", "message 5"),
        ("assistant", "Echo: message 5"),
        ("user", "message 6"),
    ]


def test_sidebar_settings_take_effect_for_the_next_message(app, model_server):
    open_model_settings(app).run()
    send(app, "first")
    app.selectbox(key="sidebar_model").set_value("scripted-large")
    app.slider(key="sidebar_temperature").set_value(0.7)
    app.number_input(key="sidebar_max_tokens").set_value(100)
    app.slider(key="sidebar_history_window").set_value(0)
    app.text_area(key="sidebar_system_prompt").set_value("Answer like a pirate.")
    send(app, "second")
    body = model_server.chat_requests[-1].body
    assert body["model"] == "scripted-large"
    assert body["temperature"] == 0.7
    assert body.get("max_completion_tokens", body.get("max_tokens")) == 100
    assert body["messages"] == [
        {"role": "system", "content": "Answer like a pirate."},
        {"role": "user", "content": "second"},
    ]


def test_model_settings_are_drawn_only_while_open_and_a_choice_outlives_closing(app, model_server):
    app.run()
    assert not app.sidebar.slider  # closed: nothing of it computed on each run
    open_model_settings(app).run()
    app.slider(key="sidebar_temperature").set_value(0.7).run()
    app.session_state[MODEL_SETTINGS_OPEN] = False  # the visitor folds it again
    send(app, "still warm?")
    assert not app.sidebar.slider
    assert model_server.chat_requests[-1].body["temperature"] == 0.7


def test_reset_restores_the_configured_settings(app, model_server):
    open_model_settings(app).run()
    app.selectbox(key="sidebar_model").set_value("scripted-large").run()
    next(b for b in app.sidebar.button if b.label == "Reset to defaults").click().run()
    assert app.selectbox(key="sidebar_model").value == "scripted-small"
    send(app, "hi")
    assert model_server.chat_requests[-1].body["model"] == "scripted-small"


def test_new_chat_clears_the_conversation_and_the_window(app, model_server):
    app.run()
    send(app, "remember me")
    next(b for b in app.sidebar.button if b.label == "New chat").click().run()
    assert bubbles(app) == []
    send(app, "fresh start")
    assert [m["content"] for m in model_server.chat_requests[-1].messages[1:]] == ["fresh start"]


def test_whitespace_only_messages_are_not_sent(app, model_server):
    app.run()
    send(app, "   \n  ")
    assert bubbles(app) == []
    assert model_server.chat_requests == []


def test_a_failed_answer_keeps_the_question_and_says_why(app, model_server):
    app.run()
    model_server.queue(Reply.failure(401, "Incorrect API key provided: test-key-not-real"))
    send(app, "are you there?")
    assert bubbles(app)[0] == ("user", "are you there?")
    assert [e.value for e in app.error] == [
        f"The API key was rejected by {model_server.base_url.split('/')[2]}. "
        "Check the key and try again."
    ]
    assert "test-key-not-real" not in str(app.get("error"))
    send(app, "and now?")
    assert bubbles(app)[-1] == ("assistant", "Echo: and now?")
    # The failed turn is not fed back as an answer.
    assert [m["content"] for m in model_server.chat_requests[-1].messages[1:]] == ["and now?"]


def test_no_key_opens_with_instructions_and_a_disabled_input(clean_env, monkeypatch):
    monkeypatch.setattr(local_server, "LOCAL_SERVER_URLS", ("http://127.0.0.1:9/v1",))
    at = new_app().run()
    assert not at.exception
    assert "OPENAI_API_KEY" in at.info[0].value
    assert at.chat_input[0].disabled
    assert at.sidebar.text_input(key="sidebar_api_key").proto.type == 1  # PASSWORD


def test_a_key_typed_in_the_sidebar_is_used_for_this_session(clean_env, model_server, monkeypatch):
    monkeypatch.setattr(local_server, "LOCAL_SERVER_URLS", ("http://127.0.0.1:9/v1",))
    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    at = new_app().run()
    # A base URL alone is enough to chat (local servers need no key) ...
    assert not at.chat_input[0].disabled
    at.sidebar.text_input(key="sidebar_api_key").set_value("visitor-key").run()
    send(at, "with my key")
    assert model_server.chat_requests[-1].headers["authorization"] == "Bearer visitor-key"
    assert "visitor-key" not in str(at.main) and "visitor-key" not in str(at.sidebar)
    at.sidebar.button(key="forget_api_key").click().run()
    send(at, "without it")
    assert model_server.chat_requests[-1].headers["authorization"] == "Bearer not-needed"


def test_a_local_server_is_offered_when_nothing_is_configured(clean_env, model_server, monkeypatch):
    monkeypatch.setattr(
        local_server, "LOCAL_SERVER_URLS", ("http://127.0.0.1:9/v1", model_server.base_url)
    )
    at = new_app().run()
    assert at.selectbox(key="setup_local_model").options == ["scripted-large", "scripted-small"]
    at.selectbox(key="setup_local_model").set_value("scripted-large")
    next(b for b in at.button if b.label == "Use this local server").click().run()
    assert not at.chat_input[0].disabled
    send(at, "local hello")
    request = model_server.chat_requests[-1]
    assert request.body["model"] == "scripted-large"
    assert bubbles(at)[-1] == ("assistant", "Echo: local hello")


@pytest.mark.parametrize(
    ("locale", "new_chat", "placeholder"),
    [
        ("ja-JP", "新しいチャット", "メッセージを入力"),
        ("en-GB", "New chat", "Message the assistant"),
    ],
)
def test_the_ui_follows_the_browser_language(app, locale, new_chat, placeholder):
    app.context["locale"] = locale
    app.run()
    assert app.sidebar.button[0].label == new_chat
    assert app.chat_input[0].placeholder == placeholder


def test_japanese_browser_gets_the_japanese_system_prompt(app, model_server):
    app.context["locale"] = "ja-JP"
    app.run()
    send(app, "こんにちは")
    assert model_server.chat_requests[-1].messages[0]["content"] == DEFAULT_SYSTEM_PROMPTS["ja"]
    assert bubbles(app)[-1] == ("assistant", "Echo: こんにちは")


def test_the_language_can_be_switched_in_the_sidebar(app, model_server):
    app.context["locale"] = "en-US"
    app.run()
    app.sidebar.selectbox(key="sidebar_language").set_value("ja").run()
    assert app.sidebar.button[0].label == "新しいチャット"
    send(app, "hi")
    assert model_server.chat_requests[-1].messages[0]["content"] == DEFAULT_SYSTEM_PROMPTS["ja"]


def test_settings_precedence_secrets_then_environment_then_dotenv(
    clean_env, model_server, tmp_path
):
    dotenv = tmp_path / ".env"
    dotenv.write_text("CHAT_MODEL=from-dotenv\nCHAT_MAX_TOKENS=77\nCHAT_HISTORY_WINDOW=1\n")
    clean_env.setenv("CHAT_DOTENV_FILE", str(dotenv))
    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    clean_env.setenv("CHAT_MODEL", "from-env")  # monkeypatch restores it afterwards
    clean_env.setenv("CHAT_MAX_TOKENS", "88")
    at = open_model_settings(new_app())
    at.secrets["CHAT_MODEL"] = "from-secrets"
    at.run()
    send(at, "which settings?")
    body = model_server.chat_requests[-1].body
    assert body["model"] == "from-secrets"
    assert body.get("max_completion_tokens", body.get("max_tokens")) == 88
    assert at.slider(key="sidebar_history_window").value == 1


def test_a_bad_setting_is_shown_and_the_default_used(app, model_server):
    app.secrets["CHAT_TEMPERATURE"] = "very hot"
    app.run()
    assert "CHAT_TEMPERATURE" in app.warning[0].value
    send(app, "still works")
    assert model_server.chat_requests[-1].body["temperature"] == 0.0


def test_the_no_key_message_and_errors_are_translated(clean_env, model_server, monkeypatch):
    monkeypatch.setattr(local_server, "LOCAL_SERVER_URLS", ("http://127.0.0.1:9/v1",))
    at = new_app()
    at.context["locale"] = "ja-JP"
    at.run()
    assert at.info[0].value.startswith("モデルがまだ設定されていません")
    assert at.sidebar.text_input(key="sidebar_api_key").label == "OpenAI API キー"

    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    model_server.queue(Reply.failure(404, "model not found"))
    at.run()
    send(at, "こんにちは")
    # CHAT_MODEL is not set and the server lists no gpt-5.4-mini: its first model is used.
    assert at.error[0].value.startswith("モデル「scripted-large」は")


def test_a_long_conversation_draws_the_latest_messages_first(app, model_server):
    """At least the latest 40 messages, from a multiple of 20 (so the turns keep their
    places on the page as it grows): 20 to 69 of 70."""
    app.run()
    for i in range(35):
        send(app, f"m{i}")
    assert len(bubbles(app)) == 50
    assert bubbles(app)[0] == ("user", "m10")
    app.button(key="show_earlier").click().run()
    assert len(bubbles(app)) == 70
    assert bubbles(app)[0] == ("user", "m0")
    # The model's window is unaffected by what is drawn.
    assert [m["content"] for m in model_server.chat_requests[-1].messages[1:2]] == ["m31"]


def test_the_model_selector_offers_the_servers_models(app, model_server):
    st.cache_data.clear()  # the list is cached for a minute, across tests too
    open_model_settings(app).run()
    assert app.selectbox(key="sidebar_model").options == ["scripted-large", "scripted-small"]
    assert any(r.path.endswith("/models") for r in model_server.requests)
    app.selectbox(key="sidebar_model").set_value("scripted-large")
    send(app, "which model?")
    assert model_server.chat_requests[-1].body["model"] == "scripted-large"


def test_the_empty_page_says_when_the_server_does_not_list_the_model(clean_env, model_server):
    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    clean_env.setenv("OPENAI_API_KEY", "k")
    clean_env.setenv("CHAT_MODEL", "not-on-this-server")
    at = new_app().run()
    assert "does not list the model not-on-this-server" in at.warning[0].value
    clean_env.setenv("CHAT_MODEL", "scripted-large")
    assert not new_app().run().warning
