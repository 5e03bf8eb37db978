"""The sidebar: new chat, language, the visitor's key and model settings for this session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from chat_core.i18n import LANGUAGES, Translator
from chat_core.prompts import default_system_prompt
from chat_core.settings import LIMITS, Settings

from . import state

__all__ = ["render_sidebar"]

_MODEL_FIELDS = (
    "model",
    "temperature",
    "max_tokens",
    "history_window",
    "system_prompt",
    "base_url",
)


def _bind(name: str, initial: Any) -> str:
    """Give the widget for ``name`` its starting value and return its key.

    The value lives under the widget's key while the widget is on screen and is
    copied to the visitor's overrides, so it survives a visit to another page.
    """
    key = state.widget_key(name)
    if key not in st.session_state:
        st.session_state[key] = state.overrides().get(name, initial)
    return key


def _remember(name: str, value: Any) -> None:
    state.overrides()[name] = value


def _reset_model_settings() -> None:
    for name in _MODEL_FIELDS:
        state.overrides().pop(name, None)
        st.session_state.pop(state.widget_key(name), None)


def _language_picker(t: Translator, disabled: bool) -> None:
    labels = {"auto": t("sidebar.language_auto"), "ja": "日本語", "en": "English"}
    key = _bind("language", "auto")
    st.session_state[key] = st.session_state[key] or "auto"
    choice = st.selectbox(
        t("sidebar.language"),
        ("auto", *LANGUAGES),
        key=key,
        format_func=labels.__getitem__,
        disabled=disabled,
    )
    _remember("language", None if choice == "auto" else choice)


def _api_key_field(configured: Settings, t: Translator, disabled: bool) -> None:
    if configured.api_key:
        return
    key = _bind("api_key", "")
    value = st.text_input(
        t("sidebar.api_key"),
        key=key,
        type="password",
        help=t("sidebar.api_key_help"),
        disabled=disabled,
        autocomplete="new-password",
    )
    _remember("api_key", value or None)


def _model_settings(configured: Settings, t: Translator, language: str, disabled: bool) -> None:
    with st.expander(t("sidebar.model_settings"), expanded=False):
        _remember(
            "model",
            st.text_input(
                t("sidebar.model"), key=_bind("model", configured.model), disabled=disabled
            ),
        )
        low, high = LIMITS["temperature"]
        _remember(
            "temperature",
            st.slider(
                t("sidebar.temperature"),
                min_value=low,
                max_value=high,
                step=0.1,
                key=_bind("temperature", configured.temperature),
                help=t("sidebar.temperature_help"),
                disabled=disabled,
            ),
        )
        low, high = LIMITS["max_tokens"]
        _remember(
            "max_tokens",
            st.number_input(
                t("sidebar.max_tokens"),
                min_value=int(low),
                max_value=int(high),
                step=64,
                key=_bind("max_tokens", configured.max_tokens),
                disabled=disabled,
            ),
        )
        low, high = LIMITS["history_window"]
        _remember(
            "history_window",
            st.slider(
                t("sidebar.history_window"),
                min_value=int(low),
                max_value=int(high),
                key=_bind("history_window", configured.history_window),
                help=t("sidebar.history_window_help"),
                disabled=disabled,
            ),
        )
        _remember(
            "system_prompt",
            st.text_area(
                t("sidebar.system_prompt"),
                key=_bind("system_prompt", configured.system_prompt or ""),
                placeholder=default_system_prompt(language),
                help=t("sidebar.system_prompt_help"),
                disabled=disabled,
            )
            or None,
        )
        st.button(
            t("sidebar.reset"),
            on_click=_reset_model_settings,
            disabled=disabled,
            width="stretch",
        )


def render_sidebar(
    configured: Settings,
    t: Translator,
    *,
    language: str,
    busy: bool,
    on_new_chat: Callable[[], None] = state.new_chat,
) -> None:
    """Draw the sidebar; ``busy`` greys it out while an answer streams.

    Changing a setting reruns the script, which would cut the answer short.
    """
    with st.sidebar:
        st.button(
            t("sidebar.new_chat"),
            icon=":material/edit_square:",
            on_click=on_new_chat,
            disabled=busy,
            type="primary",
            width="stretch",
        )
        _language_picker(t, busy)
        _api_key_field(configured, t, busy)
        _model_settings(configured, t, language, busy)
