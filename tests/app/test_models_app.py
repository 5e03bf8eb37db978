"""Which model a chat uses (AppTest against the scripted server's ``GET /models``): the
server's first when the unset default is not offered, and the visitor's own choice,
kept beyond the tab with their saved history."""

from __future__ import annotations

import pytest
import streamlit as st

from chat_core.provider.local_server import MAX_LISTED_MODELS, list_models, server_model
from chat_core.settings.settings import Settings
from chat_core.settings.sources import resolve_settings
from chat_core.storage import owner_choices
from tests.app.test_app import send
from tests.conftest import TEST_KEY
from tests.support.app_server import new_app, open_model_settings

FALLBACK = "The server does not offer gpt-5.4-mini, the default model, so scripted-large is used"


@pytest.fixture
def unset_model(clean_env, model_server):
    """A server that lists its own models, and no CHAT_MODEL."""
    st.cache_data.clear()  # the list is cached for a minute, across tests too
    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    clean_env.setenv("OPENAI_API_KEY", TEST_KEY)
    return clean_env


def _model_box(app):
    return app.selectbox(key="sidebar_model")


def _reset(app) -> None:
    next(b for b in app.sidebar.button if b.label == "Reset to defaults").click().run()


def test_an_unset_default_the_server_lacks_gives_way_to_its_first_model(unset_model, model_server):
    app = open_model_settings(new_app()).run()
    assert [c.value for c in app.caption if c.value.startswith(FALLBACK)]
    assert not app.warning  # said quietly
    assert _model_box(app).value == "scripted-large"
    send(app, "which model?")
    assert model_server.chat_requests[-1].body["model"] == "scripted-large"


def test_a_configured_model_the_server_lacks_still_warns(unset_model, model_server):
    unset_model.setenv("CHAT_MODEL", "gpt-5.4-mini")  # the same name, set by the deployer
    app = new_app().run()
    assert "does not list the model gpt-5.4-mini" in app.warning[0].value
    assert not [c for c in app.caption if c.value.startswith("The server does not offer")]
    send(app, "which model?")
    assert model_server.chat_requests[-1].body["model"] == "gpt-5.4-mini"


def test_the_allowed_models_still_rule_the_fallback(unset_model, model_server):
    unset_model.setenv("CHAT_ALLOWED_MODELS", "scripted-small")
    app = open_model_settings(new_app()).run()
    assert _model_box(app).options == ["scripted-small"]
    send(app, "which model?")
    assert model_server.chat_requests[-1].body["model"] == "scripted-small"


def test_a_model_chosen_is_kept_for_new_chats_and_other_tabs(unset_model, model_server):
    app = open_model_settings(new_app()).run()
    _model_box(app).set_value("scripted-small").run()
    send(app, "first")
    next(b for b in app.sidebar.button if b.key == "new_chat").click().run()
    assert _model_box(app).value == "scripted-small"
    assert app.selectbox(key="preset_choice").value == "default"  # the visitor's default

    other_tab = open_model_settings(new_app()).run()  # the same local owner, a new session
    assert _model_box(other_tab).value == "scripted-small"
    assert not [c for c in other_tab.caption if c.value.startswith(FALLBACK)]
    send(other_tab, "second")
    assert model_server.chat_requests[-1].body["model"] == "scripted-small"

    _reset(other_tab)  # back to the configured model, in the next tab too
    assert _model_box(other_tab).value == "scripted-large"
    assert _model_box(open_model_settings(new_app()).run()).value == "scripted-large"


def test_without_a_saved_history_the_choice_lasts_for_the_tab(unset_model, model_server):
    unset_model.setenv("CHAT_LOCAL_OWNER", "false")
    app = open_model_settings(new_app()).run()
    _model_box(app).set_value("scripted-small").run()
    next(b for b in app.sidebar.button if b.key == "new_chat").click().run()
    assert _model_box(app).value == "scripted-small"
    assert _model_box(open_model_settings(new_app()).run()).value == "scripted-large"


def test_the_fallback_is_the_first_allowed_listed_model_only_for_an_unset_default():
    unset, _ = resolve_settings([{}])
    named, _ = resolve_settings([{"CHAT_MODEL": "gpt-5.4-mini"}])
    assert (unset.model_configured, named.model_configured) == (False, True)
    listed = ["a-model", "b-model"]
    assert server_model(unset, listed) == "a-model"
    assert server_model(named, listed) is None
    assert server_model(unset, []) is None
    assert server_model(unset, [*listed, "gpt-5.4-mini"]) is None
    allowed = Settings(allowed_models=("b-model",))
    assert server_model(allowed, listed) == "b-model"
    assert server_model(Settings(allowed_models=("c-model",)), listed) is None


def test_a_servers_list_is_bounded_and_only_plausible_names_are_kept(model_server):
    before = model_server.models
    hostile = ("", "two\nlines", "x" * 201, "ok-model", *(f"m{n:05}" for n in range(1500)))
    model_server.models = hostile
    try:
        listed = list_models(model_server.base_url, timeout=5)
    finally:
        model_server.models = before
    assert len(listed) == MAX_LISTED_MODELS
    assert all(name and "\n" not in name and len(name) <= 200 for name in listed)


def test_an_owners_choices_are_theirs_and_checked(store, owner):
    engine = store.engine
    assert owner_choices.load_choices(engine, owner) == {}
    assert owner_choices.save_choice(engine, owner, "model", "scripted-small")
    assert owner_choices.save_choice(engine, owner, "model", "scripted-large")  # replaced
    assert not owner_choices.save_choice(engine, owner, "model", "two\nlines")
    assert not owner_choices.save_choice(engine, owner, "model", "x" * 201)
    assert not owner_choices.save_choice(engine, owner, "api_key", "sk-not-kept")
    assert owner_choices.load_choices(engine, owner) == {"model": "scripted-large"}
    assert owner_choices.load_choices(engine, owner + "-other") == {}
    assert owner_choices.save_choice(engine, owner, "model", None)
    assert owner_choices.load_choices(engine, owner) == {}
