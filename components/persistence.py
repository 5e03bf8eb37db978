"""Saving each visitor's conversations as they happen, when the visitor has an owner."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from chat_core.messages import ChatMessage
from chat_core.redact import redact
from chat_core.settings import Settings, stored_settings
from chat_core.storage import ConversationStore, sqlite_url

from .config import APP_ROOT

__all__ = ["Saver", "database_lost", "database_url", "open_store"]

log = logging.getLogger(__name__)

STORAGE_ERRORS = (SQLAlchemyError, OSError, PermissionError)


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    return sqlite_url(Path(settings.data_dir) if settings.data_dir else APP_ROOT / "data")


@st.cache_resource(show_spinner=False)
def _open(url: str) -> ConversationStore:
    """One store (a connection pool) per database, shared by all sessions."""
    return ConversationStore(url)


def open_store(settings: Settings) -> ConversationStore | None:
    """The shared store, or None when it cannot be used (the page then says so)."""
    url = database_url(settings)
    try:
        store = _open(url)
    except STORAGE_ERRORS as exc:
        log.warning("conversation store unavailable: %s", redact(str(exc), [url]))
        return None
    if store.lost():
        log.error("the SQLite database file was removed while the app ran: nothing is saved")
        return None
    return store


def database_lost(settings: Settings) -> bool:
    """Whether the SQLite file this process opened has been removed since."""
    try:
        return _open(database_url(settings)).lost()
    except STORAGE_ERRORS:
        return False


@dataclass(frozen=True)
class Saver:
    """Writes one owner's messages to the store; every failure is reported, none raised."""

    store: ConversationStore
    owner: str

    def _guard(self, action: str, work) -> Any:
        try:
            return work()
        except STORAGE_ERRORS as exc:
            log.warning("could not %s: %s", action, type(exc).__name__)
            return None

    def start(self, first_text: str, settings: Settings) -> str | None:
        values = stored_settings(settings)
        return self._guard(
            "create a conversation",
            lambda: self.store.create(self.owner, title=first_text, settings=values),
        )

    def put(self, conversation_id: str, position: int, message: ChatMessage) -> bool:
        done = self._guard(
            "save a message",
            lambda: self.store.put_message(conversation_id, self.owner, position, message) or True,
        )
        return bool(done)

    def truncate(self, conversation_id: str, length: int) -> bool:
        done = self._guard(
            "remove messages",
            lambda: self.store.truncate(conversation_id, self.owner, length) or True,
        )
        return bool(done)

    def save_settings(self, conversation_id: str, settings: Settings) -> None:
        values = stored_settings(settings)
        self._guard(
            "save settings",
            lambda: self.store.save_settings(conversation_id, self.owner, values),
        )
