"""Presets in the app (AppTest): chosen on a new chat, saved from the sidebar, deleted."""

from __future__ import annotations

from chat_core.identity import LOCAL_OWNER
from chat_core.prompt.system_prompts import DEFAULT_SYSTEM_PROMPTS
from chat_core.settings.presets import PRESET_SETTINGS, shipped_presets
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from tests.app.test_app import send
from tests.support.app_server import new_app, open_model_settings

PICKER = "preset_choice"


def _store(tmp_path) -> ConversationStore:
    return ConversationStore(sqlite_url(tmp_path / "data"))


def _shipped(preset_id: str, language: str = "en"):
    return next(p for p in shipped_presets(language) if p.id == preset_id)


def _system(request) -> str:
    (system,) = [m["content"] for m in request.messages if m["role"] == "system"]
    return system


def _new_chat(app) -> None:
    next(b for b in app.sidebar.button if b.key == "new_chat").click().run()


def _save_preset(app, name: str) -> None:
    app.sidebar.button(key="preset_save").click().run()
    app.text_input(key="preset_name").set_value(name)
    next(b for b in app.button if b.label == "Save" and b.proto.is_form_submitter).click().run()
    assert not app.exception, app.exception


def test_a_shipped_preset_sets_the_next_requests_prompt_and_settings(app, model_server):
    open_model_settings(app).run()
    picker = app.selectbox(key=PICKER)
    assert picker.label == "Preset"
    assert picker.value == "default"
    assert picker.options == ["Default", *(p.name for p in shipped_presets("en"))]
    explain = _shipped("explain-simply")
    picker.set_value("explain-simply").run()
    assert app.selectbox(key=PICKER).value == "explain-simply"
    # The sidebar's widgets show what the preset chose.
    assert app.slider(key="sidebar_temperature").value == 0.5
    assert app.text_area(key="sidebar_system_prompt").value == explain.system_prompt

    send(app, "What is a black hole?")
    body = model_server.chat_requests[-1].body
    assert _system(model_server.chat_requests[-1]) == explain.system_prompt
    assert body["temperature"] == 0.5
    assert body.get("max_completion_tokens", body.get("max_tokens")) == 1024
    assert body["model"] == "scripted-small"  # a shipped preset keeps the model in use

    # A new chat starts from the defaults: the preset was for the chat it was picked for.
    _new_chat(app)
    assert app.selectbox(key=PICKER).value == "default"
    assert app.slider(key="sidebar_temperature").value == 0.0
    send(app, "And now?")
    assert _system(model_server.chat_requests[-1]) == DEFAULT_SYSTEM_PROMPTS["en"]
    assert model_server.chat_requests[-1].body["temperature"] == 0.0


def test_a_preset_does_not_stick_to_the_next_chat(app, model_server):
    open_model_settings(app).run()
    app.selectbox(key=PICKER).set_value("translator").run()
    send(app, "こんにちは")
    assert _system(model_server.chat_requests[-1]) == _shipped("translator").system_prompt
    _new_chat(app)
    assert app.selectbox(key=PICKER).value == "default"
    assert app.text_area(key="sidebar_system_prompt").value == ""
    send(app, "Hello again")
    request = model_server.chat_requests[-1]
    assert _system(request) == DEFAULT_SYSTEM_PROMPTS["en"]
    assert request.body.get("max_completion_tokens", request.body.get("max_tokens")) == 512


def test_the_conversation_is_saved_with_the_presets_settings(app, model_server, tmp_path):
    app.run()
    app.selectbox(key=PICKER).set_value("translator").run()
    send(app, "こんにちは")
    (summary,) = _store(tmp_path).list(LOCAL_OWNER)
    settings = _store(tmp_path).load(summary.id, LOCAL_OWNER).settings
    assert settings["system_prompt"] == _shipped("translator").system_prompt
    assert settings["temperature"] == 0.0 and settings["max_tokens"] == 2048
    assert model_server.chat_requests[-1].body["temperature"] == 0.0


def test_changing_a_setting_afterwards_shows_custom_settings(app):
    open_model_settings(app).run()
    app.selectbox(key=PICKER).set_value("code-reviewer").run()
    app.slider(key="sidebar_temperature").set_value(1.0).run()
    picker = app.selectbox(key=PICKER)
    assert (picker.value, picker.options[-1]) == ("custom", "Custom settings")
    app.slider(key="sidebar_temperature").set_value(0.2).run()  # the preset's again
    assert app.selectbox(key=PICKER).value == "code-reviewer"
    assert "Custom settings" not in app.selectbox(key=PICKER).options


def test_a_preset_is_saved_from_the_sidebar_chosen_in_a_new_chat_and_deleted(
    app, model_server, tmp_path
):
    open_model_settings(app).run()
    app.selectbox(key="sidebar_model").set_value("scripted-large")
    app.slider(key="sidebar_temperature").set_value(0.7)
    app.text_area(key="sidebar_system_prompt").set_value("Answer like a *pirate*.").run()
    _save_preset(app, "  Pirate **talk** ")
    (saved,) = _store(tmp_path).presets(LOCAL_OWNER)
    assert saved.name == "Pirate **talk**"
    assert saved.system_prompt == "Answer like a *pirate*."
    # All of them, as they were; the tools were never switched (no tools configured): none.
    assert set(saved.settings) == set(PRESET_SETTINGS) - {"tools_off"}
    chosen = {"model": "scripted-large", "temperature": 0.7, "max_tokens": 512}
    assert {key: saved.settings[key] for key in chosen} == chosen

    assert app.selectbox(key=PICKER).value == saved.id  # what the session is set to

    next(b for b in app.sidebar.button if b.label == "Reset to defaults").click().run()
    assert app.selectbox(key=PICKER).value == "default"
    picker = app.selectbox(key=PICKER)
    assert picker.options[-1] == "Pirate **talk**"  # an option is plain text
    picker.set_value(saved.id).run()
    assert app.selectbox(key="sidebar_model").value == "scripted-large"
    send(app, "Ahoy?")
    request = model_server.chat_requests[-1]
    assert _system(request) == "Answer like a *pirate*."
    assert (request.body["model"], request.body["temperature"]) == ("scripted-large", 0.7)

    # Saved again under the same name: replaced, not doubled.
    app.slider(key="sidebar_temperature").set_value(0.2).run()
    _save_preset(app, "Pirate **talk**")
    (again,) = _store(tmp_path).presets(LOCAL_OWNER)
    assert (again.id, again.settings["temperature"]) == (saved.id, 0.2)

    app.sidebar.button(key="preset_save").click().run()
    listed = [m.value for m in app.markdown if "Pirate" in m.value]
    assert listed == ["Pirate \\*\\*talk\\*\\*"]  # the name is text, never Markdown
    app.button(key=f"preset_delete_{saved.id}").click().run()
    assert _store(tmp_path).presets(LOCAL_OWNER) == []
    assert not app.exception


def test_saving_says_what_is_wrong(app, tmp_path):
    open_model_settings(app).run()
    _save_preset(app, "   ")
    assert [e.value for e in app.error] == ["Give the preset a name."]
    app.text_area(key="sidebar_system_prompt").set_value("x" * 4001).run()
    _save_preset(app, "Too long")
    assert [e.value for e in app.error] == [
        "The system prompt is 4001 characters long; a preset's may be at most 4000."
    ]
    assert _store(tmp_path).presets(LOCAL_OWNER) == []


def test_the_picker_is_in_the_pages_language(app):
    open_model_settings(app).run()
    app.selectbox(key="sidebar_language").set_value("ja").run()
    picker = app.selectbox(key=PICKER)
    assert picker.label == "プリセット"
    assert picker.options == ["標準", *(p.name for p in shipped_presets("ja"))]
    assert app.sidebar.button(key="preset_save").label == "プリセットとして保存"


def test_a_visitor_without_a_saved_history_gets_shipped_presets_and_no_save(
    clean_env, model_server
):
    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    clean_env.setenv("OPENAI_API_KEY", "test-key-not-real")
    clean_env.setenv("CHAT_LOCAL_OWNER", "false")
    app = new_app().run()
    labels = ["Default", *(p.name for p in shipped_presets("en"))]
    assert app.selectbox(key=PICKER).options == labels
    assert not [b for b in app.sidebar.button if b.key == "preset_save"]
    app.selectbox(key=PICKER).set_value("proofreader").run()
    send(app, "Their is a mistake.")
    assert _system(model_server.chat_requests[-1]) == _shipped("proofreader").system_prompt


def test_an_own_preset_named_like_a_shipped_one_is_told_apart(app, model_server, tmp_path):
    """The browser sends back the label chosen: two equal labels would be one choice."""
    open_model_settings(app).run()
    app.text_area(key="sidebar_system_prompt").set_value("My own proofreading rules.").run()
    _save_preset(app, "Proofreader")
    (own,) = _store(tmp_path).presets(LOCAL_OWNER)
    next(b for b in app.sidebar.button if b.label == "Reset to defaults").click().run()
    picker = app.selectbox(key=PICKER)
    assert picker.options.count("Proofreader") == 1 and picker.options[-1] == "Proofreader (2)"
    picker.set_value(own.id).run()
    send(app, "Check this.")
    assert _system(model_server.chat_requests[-1]) == "My own proofreading rules."
