"""Usage in the chat: recording each answer's tokens, limits per user, totals to show."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import streamlit as st

from chat_core.attachments import refusal as attachments_refusal
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.i18n import Translator
from chat_core.limits import check_limits
from chat_core.messages import ChatMessage
from chat_core.settings import Settings
from chat_core.storage import ConversationStore
from chat_core.usage import cost

from . import state
from .persistence import STORAGE_ERRORS

__all__ = ["conversation_usage", "keep_answer", "limit_identity", "refusal_for"]

log = logging.getLogger(__name__)


def limit_identity(owner: str | None) -> str:
    """Who the limits count against: the owner, else the visitor's address, else the tab."""
    if owner:
        return owner
    remote_ip = st.context.ip_address
    if isinstance(remote_ip, str) and remote_ip:
        return f"ip:{remote_ip}"
    return f"session:{id(st.session_state)}"


def refusal_for(
    question: ChatMessage, settings: Settings, store: ConversationStore | None, identity: str
) -> UserFacingError | None:
    """Why ``question`` may not be sent now (a file that cannot be, too long, or a limit
    reached); None if it may."""
    files_problem = attachments_refusal(question.attachments)
    if files_problem is not None:
        return files_problem
    text = question.content
    if len(text) > settings.max_input_chars:
        details = {"length": f"{len(text):,}", "limit": f"{settings.max_input_chars:,}"}
        return UserFacingError(ErrorKind.INPUT_TOO_LONG, details)
    if store is None or not (settings.messages_per_minute or settings.tokens_per_day):
        return None
    try:
        hit = check_limits(
            settings, lambda since: store.usage_since(identity, since), datetime.now(UTC)
        )
    except STORAGE_ERRORS:
        log.warning("limits could not be checked: the store is unavailable")
        return None
    if hit is None:
        return None
    return UserFacingError(ErrorKind(hit.kind), {"limit": f"{hit.limit:,}"})


def keep_answer(answer: ChatMessage, store: ConversationStore | None, identity: str) -> None:
    """Add the answer to the conversation and count its tokens for the limits."""
    state.add_message(answer)
    if store is not None and answer.usage is not None:
        try:
            store.record_usage(identity, answer.usage)
        except STORAGE_ERRORS:
            log.warning("usage could not be recorded")


def conversation_usage(
    history: Sequence[ChatMessage], t: Translator, prices: Mapping[str, tuple[float, float]]
) -> str | None:
    """The conversation's token total (and cost, where every answer has a price)."""
    usages = [m.usage for m in history if m.usage is not None]
    if not usages:
        return None
    tokens = sum(u.total for u in usages)
    costs = [cost(u, prices) for u in usages]
    text = t("usage.conversation", tokens=f"{tokens:,}")
    if all(c is not None for c in costs):
        text += t("usage.cost", cost=f"{sum(costs):.4f}")
    if any(u.estimated for u in usages):
        text += t("usage.estimated")
    return text
