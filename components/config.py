"""Settings for this session: configuration files and secrets, plus the visitor's choices."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import streamlit as st

from chat_core.i18n import language_for_locale
from chat_core.provider import local_server
from chat_core.provider.local_server import context_length, server_model
from chat_core.settings.settings import (
    Settings,
    clamp,
    with_overrides,
)
from chat_core.settings.sources import SettingProblem, read_dotenv, resolve_settings
from chat_core.storage.engine import sqlite_url
from components import state
from components.persistence import OwnerHistory
from components.secrets import secrets

__all__ = [
    "APP_ROOT",
    "choose_own_model",
    "configured_settings",
    "data_folder",
    "listed_models",
    "session_language",
    "session_settings",
    "starting_model",
]

APP_ROOT = Path(__file__).resolve().parent.parent


def _secrets() -> Mapping[str, Any]:
    """Root-level ``st.secrets`` values; a missing or broken secrets.toml is no error."""
    return {k: v for k, v in secrets().items() if not isinstance(v, Mapping)}


def _dotenv() -> Mapping[str, str]:
    return read_dotenv(Path(os.environ.get("CHAT_DOTENV_FILE", APP_ROOT / ".env")))


def configured_settings() -> tuple[Settings, tuple[SettingProblem, ...]]:
    """What the deployer configured.

    Streamlit copies root-level secrets into ``os.environ`` (overwriting), so
    secrets come first here too: the order is the same whichever one we read. The
    database URL comes resolved: the configured one, else SQLite in the data folder.
    """
    settings, problems = resolve_settings([_secrets(), os.environ, _dotenv()])
    if settings.database_url is None:
        settings = replace(settings, database_url=sqlite_url(data_folder(settings)))
    return settings, problems


def data_folder(settings: Settings) -> Path:
    """Where the app keeps its files: CHAT_DATA_DIR, else ./data beside it."""
    return Path(settings.data_dir) if settings.data_dir else APP_ROOT / "data"


@st.cache_data(ttl=60, show_spinner=False)
def _server_models(base_url: str | None, request_timeout: float, _api_key: str | None) -> list:
    """The models the configured server lists, cached briefly per server.

    Only the deployer's key (or none, for a local server) is used here, and it is
    not part of the cache key; a visitor's own key never is.
    """
    return local_server.list_models(base_url, api_key=_api_key, timeout=min(request_timeout, 3))


def listed_models(configured: Settings) -> list[str]:
    """The models the configured server lists; empty when it lists none or cannot say."""
    if not (configured.api_key or configured.base_url):
        return []
    return _server_models(configured.base_url, configured.request_timeout, configured.api_key) or []


def starting_model(
    configured: Settings, history: OwnerHistory | None
) -> tuple[Settings, str | None]:
    """``configured`` with the model a new chat of this visitor starts from: the one they
    chose for all their chats (kept with their saved history, else in this tab), else
    the deployer's; the built-in default only if the server offers it, else the first
    model it lists. Also the default so replaced, if it was (the page says so)."""
    own = state.own_choices(history.choices if history is not None else dict).get("model")
    if own:
        return with_overrides(configured, {"model": own}), None
    fallback = server_model(configured, listed_models(configured))
    if fallback is None:
        return configured, None
    return replace(configured, model=fallback), configured.model


def choose_own_model(model: str | None, history: OwnerHistory | None) -> None:
    """The model the visitor chose for all their chats (None: back to the configured),
    which a new chat starts from; kept with their saved history, else in this tab."""
    own = state.own_choices(history.choices if history is not None else dict)
    if model:
        own["model"] = model
    else:
        own.pop("model", None)
    if history is not None:
        history.remember("model", model or None)


@st.cache_data(ttl=300, show_spinner=False)
def _reported_context(base_url: str, model: str, _api_key: str | None) -> int | None:
    """The model's context length as its server reports it (cached: it rarely changes)."""
    return context_length(base_url, model, api_key=_api_key, timeout=1.0)


def session_settings(configured: Settings) -> Settings:
    """The configured settings with this visitor's sidebar choices applied; sending "as
    much as fits" uses the context length the model's server reports, where it does."""
    settings = with_overrides(configured, state.overrides())
    if settings.history_fit and settings.base_url:
        reported = _reported_context(settings.base_url, settings.model, settings.api_key)
        if reported:
            settings = replace(settings, context_tokens=int(clamp("context_tokens", reported)))
    return settings


def session_language(configured: Settings) -> str:
    """The visitor's choice, else the configured language, else the browser's locale."""
    chosen = state.overrides().get("language")
    return chosen or configured.language or language_for_locale(st.context.locale)
