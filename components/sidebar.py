"""The sidebar: new chat, language, the visitor's key and model settings for this session."""

from __future__ import annotations

from typing import Any

import streamlit as st

from chat_core.conversation.conversation import Conversation
from chat_core.i18n import LANGUAGES, Translator
from chat_core.identity import SignedInUser
from chat_core.prompt.system_prompts import default_system_prompt
from chat_core.provider.chat_model import is_reasoning_model
from chat_core.settings.declarations import LIMITS, MODEL_SETTINGS
from chat_core.settings.parsers import REASONING_EFFORTS
from chat_core.settings.settings import Settings
from components import actions, state
from components.chat_list import render_chat_list
from components.config import choose_own_model, listed_models
from components.persistence import OwnerHistory
from components.preset_picker import render_preset_saving
from components.projects import render_projects
from components.sidebar_closer import close_sidebar_on_pick

__all__ = ["MODEL_SETTINGS_OPEN", "listed_models", "model_choices", "render_sidebar"]

MODEL_SETTINGS_OPEN = "model_settings_open"  # session-state key: the expander is open


def _blank_to_none(value: Any) -> Any:
    return None if value in ("", "auto") else value


def _remember(name: str) -> None:
    """Copy the widget's value into the visitor's overrides (an ``on_change`` callback).

    Callbacks run before the script, so the whole run sees the new value; and the
    overrides outlive the widget's own key, which Streamlit drops whenever a page
    without the widget runs.
    """
    state.overrides()[name] = _blank_to_none(state.widget_value(state.widget_key(name)))


def _bound(name: str, initial: Any) -> dict[str, Any]:
    """Keyword arguments that tie the widget for setting ``name`` to the overrides."""
    key = state.widget_key(name)
    if state.widget_value(key) is None:
        chosen = state.overrides().get(name)
        state.set_widget(key, initial if chosen is None else chosen)
    return {"key": key, "on_change": _remember, "args": (name,)}


def _reset_model_settings(history: OwnerHistory | None) -> None:
    for name in MODEL_SETTINGS:
        state.forget_choice(name)
    choose_own_model(None, history)


def _choose_model(history: OwnerHistory | None) -> None:
    """The model chosen in the sidebar is the visitor's for this chat and the next ones."""
    _remember("model")
    choose_own_model(state.overrides().get("model"), history)


def _language_picker(t: Translator, disabled: bool) -> None:
    labels = {"auto": t("sidebar.language_auto"), "ja": "日本語", "en": "English"}
    st.selectbox(
        t("sidebar.language"),
        ("auto", *LANGUAGES),
        format_func=labels.__getitem__,
        disabled=disabled,
        **_bound("language", "auto"),
    )


def _take_api_key() -> None:
    """Move the typed key into this session's overrides and empty the field.

    The key then lives only server-side, in this session: it is not echoed back
    into the page as the field's value.
    """
    key = state.widget_key("api_key")
    typed = state.widget_value(key, "").strip()
    if typed:
        state.overrides()["api_key"] = typed
    state.set_widget(key, "")


def _forget_api_key() -> None:
    state.forget_choice("api_key")


def _api_key_field(configured: Settings, t: Translator, disabled: bool) -> None:
    if configured.api_key:
        return
    if state.overrides().get("api_key"):
        st.caption(t("sidebar.api_key_set"))
        st.button(
            t("sidebar.api_key_forget"),
            key="forget_api_key",
            icon=":material/key_off:",
            on_click=_forget_api_key,
            disabled=disabled,
        )
        return
    st.text_input(
        t("sidebar.api_key"),
        type="password",
        key=state.widget_key("api_key"),
        on_change=_take_api_key,
        help=t("sidebar.api_key_help"),
        disabled=disabled,
        autocomplete="new-password",
    )


def model_choices(configured: Settings) -> list[str]:
    """The models a visitor may pick: the deployer's allowed ones, else the server's."""
    if configured.allowed_models:
        return list(configured.allowed_models)
    chosen = state.overrides().get("model")
    return sorted({*listed_models(configured), configured.model, *([chosen] if chosen else [])})


def _reasoning_effort(configured: Settings, t: Translator, disabled: bool) -> None:
    """For OpenAI's reasoning models: how hard they think (their thinking counts in max
    tokens, so more effort needs a larger limit)."""
    labels = {effort: t(f"sidebar.reasoning_{effort}") for effort in REASONING_EFFORTS}
    st.selectbox(
        t("sidebar.reasoning_effort"),
        tuple(labels),
        format_func=labels.__getitem__,
        help=t("sidebar.reasoning_effort_help"),
        disabled=disabled,
        **_bound("reasoning_effort", configured.reasoning_effort or "low"),
    )


def _model_settings(
    configured: Settings,
    t: Translator,
    language: str,
    disabled: bool,
    history: OwnerHistory | None,
) -> None:
    # Drawn only while open: its sliders alone read the whole session state, once
    # each, on every run (with a crowd, a fifth of the process's time).
    with st.expander(
        t("sidebar.model_settings"), key=MODEL_SETTINGS_OPEN, on_change="rerun"
    ) as settings:
        if not settings.open:
            return
        if state.overrides().get("model") is None:  # the default may change (the server's)
            state.set_widget(state.widget_key("model"), configured.model)
        st.selectbox(
            t("sidebar.model"),
            model_choices(configured),
            accept_new_options=not configured.allowed_models,
            help=t("sidebar.model_help"),
            disabled=disabled,
            **_bound("model", configured.model) | {"on_change": _choose_model, "args": (history,)},
        )
        if is_reasoning_model(state.overrides().get("model") or configured.model):
            _reasoning_effort(configured, t, disabled)
        low, high = LIMITS["temperature"]
        st.slider(
            t("sidebar.temperature"),
            min_value=low,
            max_value=high,
            step=0.1,
            help=t("sidebar.temperature_help"),
            disabled=disabled,
            **_bound("temperature", configured.temperature),
        )
        low, high = LIMITS["max_tokens"]
        st.number_input(
            t("sidebar.max_tokens"),
            min_value=int(low),
            max_value=int(high),
            step=64,
            disabled=disabled,
            **_bound("max_tokens", configured.max_tokens),
        )
        fit = st.toggle(
            t("sidebar.history_fit"),
            help=t("sidebar.history_fit_help", tokens=f"{configured.context_tokens:,}"),
            disabled=disabled,
            **_bound("history_fit", configured.history_fit),
        )
        low, high = LIMITS["history_window"]
        st.slider(
            t("sidebar.history_window"),
            min_value=int(low),
            max_value=int(high),
            help=t("sidebar.history_window_help"),
            disabled=disabled or fit,
            **_bound("history_window", configured.history_window),
        )
        st.text_area(
            t("sidebar.system_prompt"),
            placeholder=default_system_prompt(language),
            help=t("sidebar.system_prompt_help"),
            disabled=disabled,
            **_bound("system_prompt", configured.system_prompt or ""),
        )
        st.button(
            t("sidebar.reset"),
            on_click=_reset_model_settings,
            args=(history,),
            disabled=disabled,
            width="stretch",
        )
        render_preset_saving(configured, history, t, disabled)


def _account(
    history: OwnerHistory | None, user: SignedInUser | None, usage_total: str | None, t
) -> None:
    if user is not None:
        st.caption(t("auth.signed_in_as", identity=user.shown_as))
        st.button(t("auth.sign_out"), key="sign_out", icon=":material/logout:", on_click=st.logout)
    if history is None:
        st.caption(t("history.session_only"))
    else:
        st.caption(t("history.saved_account") if user else t("history.saved"))
    if usage_total:
        st.caption(usage_total)
    else:  # in its place, so a total drawn by the last run does not linger, faded
        st.empty()


def render_sidebar(
    configured: Settings,
    t: Translator,
    *,
    conversation: Conversation,
    language: str,
    busy: bool,
    history: OwnerHistory | None,
    user: SignedInUser | None = None,
    usage_total: str | None = None,
) -> str | None:
    """Draw the sidebar; ``busy`` greys it out while an answer streams. Returns the
    current conversation's title as the chat list has it.

    Changing a setting reruns the script, which would cut the answer short.
    """
    with st.sidebar:
        close_sidebar_on_pick()
        st.button(
            t("sidebar.new_chat"),
            key="new_chat",
            icon=":material/edit_square:",
            on_click=actions.new_chat,
            args=(conversation,),
            disabled=busy,
            width="stretch",
        )
        with st.container(key="sidebar_temporary", gap=None):
            if history is not None:  # without a history, every chat is the tab's only
                state.set_widget(actions.TEMPORARY_SWITCH, state.temporary())
                st.toggle(t("sidebar.temporary"), key=actions.TEMPORARY_SWITCH,
                          on_change=actions.switch_temporary, args=(conversation,),
                          disabled=busy, help=t("sidebar.temporary_help"))  # fmt: skip
        # What comes and goes (the list's rows, the usage line) stays inside containers
        # of its own: the widgets below keep their places from run to run, so the browser
        # never mistakes one for a new widget and sends back its default.
        with st.container(key="sidebar_projects", gap=None):
            render_projects(t, history, conversation)
        with st.container(key="sidebar_chat_list", gap=None):
            title = render_chat_list(history, conversation, t, sharing=configured.sharing)
        with st.container(key="sidebar_account", gap="small"):
            _account(history, user, usage_total, t)
        _language_picker(t, busy)
        _api_key_field(configured, t, busy)
        _model_settings(configured, t, language, busy, history)
    return title
