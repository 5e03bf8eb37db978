"""What every page needs, worked out once per run in the entry file and read by the page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

import streamlit as st

from chat_core.conversation.conversation import Conversation
from chat_core.i18n import Translator
from chat_core.settings.settings import Settings
from chat_core.settings.sources import SettingProblem
from chat_core.storage.store import ConversationStore
from components import state
from components.auth import auth_configured
from components.config import configured_settings, session_language, starting_model
from components.persistence import OwnerHistory, open_store
from components.sign_in_gate import render_sign_in
from components.visitor import Visitor, current_visitor

__all__ = ["PageContext", "build_page_context", "page_context", "serving"]


@dataclass(frozen=True)
class PageContext:
    # What the deployer configured, with the model this visitor starts from (a page adds
    # the visitor's choices for the chat on screen).
    configured: Settings
    problems: tuple[SettingProblem, ...]  # configured values that could not be used
    language: str
    t: Translator
    store: ConversationStore | None  # None: the database cannot be used
    visitor: Visitor
    # The built-in default model, when the server does not offer it and its first is used.
    model_fallback: str | None = None

    @property
    def history(self) -> OwnerHistory | None:
        """The visitor's saved conversations; None when they are kept in this tab only."""
        if self.store is None or self.visitor.owner is None:
            return None
        return OwnerHistory(self.store, self.visitor.owner)

    def conversation(self) -> Conversation:
        """This session's conversation, saved to the visitor's history when they have one
        (a temporary chat never is)."""
        return state.conversation(None if state.temporary() else self.history)


def build_page_context() -> PageContext:
    configured, problems = configured_settings()
    language = session_language(configured)
    store = open_store(configured)
    context = PageContext(
        configured=configured,
        problems=problems,
        language=language,
        t=Translator(language),
        store=store,
        visitor=current_visitor(configured, store),
    )
    configured, fallback = starting_model(configured, context.history)
    return replace(context, configured=configured, model_fallback=fallback)


_current: ContextVar[PageContext] = ContextVar("page_context")


@contextmanager
def serving(context: PageContext) -> Iterator[None]:
    """Pages run inside this block read ``context`` with :func:`page_context`."""
    token = _current.set(context)
    try:
        yield
    finally:
        _current.reset(token)


def page_context(*, signed_in_only: bool = True) -> PageContext:
    """The run's context, built by the entry file.

    Streamlit runs a page file directly, without the entry file, while it still treats
    ``pages/`` as a multipage folder (the first run of a process, and every AppTest
    run): the page then builds the context itself, and the sign-in gate holds there too,
    unless the page is not ``signed_in_only`` (a shared link: it applies its own rule).
    """
    context = _current.get(None)
    if context is not None:
        return context
    context = build_page_context()
    if signed_in_only and auth_configured() and not context.visitor.allowed:
        render_sign_in(context.visitor, context.configured, context.t)
        st.stop()
    return context
