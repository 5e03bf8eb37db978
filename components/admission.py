"""Admitting a request: files and length checked, then counted within the limits (the
answer's job settles it once it ends)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import streamlit as st

from chat_core.conversation.messages import ChatMessage
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.files.attachments import refusal as attachments_refusal
from chat_core.limits import (
    FallbackLedger,
    LimitReached,
    Limits,
    MemoryLedger,
    Request,
    Settlement,
    refusal,
    reserve,
)
from chat_core.settings.settings import Settings
from chat_core.storage.store import ConversationStore
from chat_core.storage.usage_log import SqlLedger
from components.persistence import STORAGE_ERRORS

__all__ = ["admit", "input_refusal", "ledger"]

log = logging.getLogger(__name__)


def input_refusal(question: ChatMessage, settings: Settings) -> UserFacingError | None:
    """Why ``question`` cannot be sent at all (a file that cannot be, or too long)."""
    files_problem = attachments_refusal(question.attachments)
    if files_problem is not None:
        return files_problem
    text = question.content
    if len(text) > settings.max_input_chars:
        details = {"length": f"{len(text):,}", "limit": f"{settings.max_input_chars:,}"}
        return UserFacingError(ErrorKind.INPUT_TOO_LONG, details)
    return None


@st.cache_resource(show_spinner=False)
def _memory_ledger() -> MemoryLedger:
    """One per process: counts requests while the database cannot (keyed by identity)."""
    return MemoryLedger()


def ledger(store: ConversationStore | None) -> FallbackLedger:
    """The database's ledger, falling back to this process's memory when it fails."""
    return FallbackLedger(
        SqlLedger(store.engine) if store is not None else None,
        _memory_ledger(),
        failures=STORAGE_ERRORS,
        on_failure=lambda what: log.warning(
            "usage ledger unavailable (%s): counting in memory", what
        ),
    )


def admit(
    input_tokens: int,
    settings: Settings,
    *,
    identity: str,
    store: ConversationStore | None,
) -> Settlement | UserFacingError:
    """Count a request of ``input_tokens`` (the turn plan's estimate) against the limits
    before it is sent, or say which it passes."""
    request = Request(
        identity=identity,
        model=settings.model,
        input_tokens=input_tokens,
        max_tokens=settings.max_tokens,
    )
    outcome = reserve(ledger(store), request, Limits.of(settings), datetime.now(UTC))
    return refusal(outcome) if isinstance(outcome, LimitReached) else outcome
