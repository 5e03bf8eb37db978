"""Chat bubbles: the history as stored, with actions on the last turn, and the streaming answer."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from functools import partial

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from chat_core.chat import respond
from chat_core.conversation import Conversation
from chat_core.errors import ErrorKind, UserFacingError, classify, finish_problem
from chat_core.i18n import Translator
from chat_core.llm import reporting_retries
from chat_core.messages import ChatMessage, Status
from chat_core.redact import redact
from chat_core.settings import Settings
from chat_core.streaming import CURSOR, StreamingMarkdownHandler, split_settled
from chat_core.text import display_markdown, display_question
from chat_core.tokens import Usage, cost

from . import actions, state
from .attachments_view import render_attachments
from .message_actions import message_actions

__all__ = ["conversation_usage", "render_history", "render_message", "stream_answer"]

log = logging.getLogger(__name__)


class ParagraphSink:
    """A token sink that draws settled paragraphs once and redraws only the tail.

    Each redraw re-sends its whole text to the browser, so redrawing just the
    paragraph being written keeps the traffic flat however long the answer is.
    Images are shown as links. The finished answer is drawn whole on the next run.
    """

    def __init__(
        self, *, on_progress: Callable[[str], None] | None = None, every: float = 2.0
    ) -> None:
        self._container = st.container()
        self._tail = self._container.empty()
        self.notice = st.empty()  # "retrying…" while the server is busy; gone at the first token
        self._settled = 0
        self._on_progress = on_progress
        self._every = every
        self._last_progress = time.monotonic()

    def markdown(self, text: str) -> None:
        if text != CURSOR:
            self.notice.empty()
        now = time.monotonic()
        if self._on_progress is not None and now - self._last_progress >= self._every:
            self._last_progress = now
            self._on_progress(text.removesuffix(CURSOR))
        head, tail = split_settled(text)
        if len(head) > self._settled:
            self._tail.markdown(display_markdown(head[self._settled :]))
            self._tail = self._container.empty()
            self._settled = len(head)
        self._tail.markdown(display_markdown(tail))


def usage_text(usage: Usage, t: Translator, prices: Mapping[str, tuple[float, float]]) -> str:
    text = t("usage.tokens", input=f"{usage.input_tokens:,}", output=f"{usage.output_tokens:,}")
    dollars = cost(usage, prices)
    if dollars is not None:
        text += t("usage.cost", cost=f"{dollars:.4f}")
    if usage.estimated:
        text += t("usage.estimated")
    return text


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


def _render_ending(message: ChatMessage, t: Translator) -> None:
    """The mark under a message that did not end normally."""
    if message.status is Status.STOPPED:
        st.caption(t("chat.stopped"))
    elif message.status is Status.KEPT:
        st.caption(t("chat.kept"))
    elif message.error is not None and message.error.kind is ErrorKind.LENGTH_LIMIT:
        st.caption(t.explain(message.error))
    elif message.status is Status.FAILED and message.error is not None:
        if message.content and not message.is_user:
            st.caption(t("chat.incomplete"))
        st.error(t.explain(message.error), icon=":material/error:")


def _render_editor(question: ChatMessage, conversation: Conversation, t: Translator) -> None:
    """The last question in an edit box; a form, so that Ctrl+Enter (⌘+Enter) sends it,
    as the box's own hint says."""
    with st.chat_message("user"), st.form("edit_form", border=False):
        st.text_area(t("chat.edit_label"), key=state.EDIT_BOX, label_visibility="collapsed")
        kept = [a for a in question.attachments if a.sent]
        if kept:
            render_attachments(kept, t)
            st.caption(t("chat.edit_keeps_files"))
        with st.container(horizontal=True, gap="small"):
            st.form_submit_button(
                t("chat.send_edit"),
                type="primary",
                on_click=actions.resend_edited,
                args=(conversation,),
            )
            st.form_submit_button(t("chat.cancel_edit"), on_click=actions.cancel_edit)


def render_message(
    message: ChatMessage,
    t: Translator,
    *,
    buttons: Callable[[], None] | None = None,
    prices: Mapping[str, tuple[float, float]] | None = None,
) -> None:
    with st.chat_message(message.role.value):
        if message.content:
            show = display_question if message.is_user else display_markdown
            st.markdown(show(message.content, cut_note=t("chat.cut_note")))
        if message.attachments:
            render_attachments(message.attachments, t)
        _render_ending(message, t)
        if message.usage is not None and prices is not None:
            st.caption(usage_text(message.usage, t, prices))
        if buttons is not None:
            buttons()


def render_history(
    conversation: Conversation, t: Translator, *, prices: Mapping[str, tuple[float, float]]
) -> None:
    """Draw the conversation, each message with its actions.

    Only runs with no answer streaming draw the history, so the actions are live.
    """
    history = conversation.messages
    last_question = max((i for i, m in enumerate(history) if m.is_user), default=None)
    first = state.first_visible(len(history))
    if first:
        st.button(
            t("chat.show_earlier", count=first),
            key="show_earlier",
            icon=":material/expand_less:",
            type="tertiary",
            on_click=state.show_earlier,
        )
    for index in range(first, len(history)):
        message = history[index]
        if index == last_question and state.editing():
            _render_editor(message, conversation, t)
            continue
        buttons = partial(
            message_actions,
            message,
            conversation,
            t,
            last_question=index == last_question,
            last_answer=index == len(history) - 1 and not message.is_user,
        )
        render_message(message, t, buttons=buttons, prices=prices)


def _failure(
    exc: Exception,
    settings: Settings,
    handler: StreamingMarkdownHandler,
    started_at: float,
    *,
    sent_images: bool,
) -> UserFacingError:
    """Classify ``exc`` for the page and log it in full, with no key in the log."""
    error = classify(
        exc,
        model=settings.model,
        base_url=settings.base_url,
        started=handler.has_started,
        elapsed=time.monotonic() - started_at,
        sent_images=sent_images,
    )
    details = "".join(traceback.format_exception(exc))
    log.warning("answer failed (%s):\n%s", error.kind.value, redact(details, [settings.api_key]))
    return error


def stream_answer(
    history: Sequence[ChatMessage],
    question: ChatMessage,
    settings: Settings,
    *,
    language: str,
    t: Translator,
    keep: Callable[[ChatMessage], None],
    checkpoint: Callable[[ChatMessage], None] | None = None,
) -> None:
    """Stream the answer to ``question`` into a new assistant bubble, then ``keep`` it.

    ``checkpoint`` receives the partial answer every few seconds while it streams.

    The visitor keeps what they already saw, however the answer ends: the Stop
    button (or any other rerun) keeps the partial answer marked as stopped; a
    failure keeps it marked as incomplete, with the reason. The caller reruns the
    page afterwards, which draws the kept answer from the history.
    """
    with st.chat_message("assistant"):
        progress = None
        if checkpoint is not None:
            progress = lambda text: checkpoint(  # noqa: E731
                ChatMessage.assistant(text, status=Status.STREAMING)
            )
        sink = ParagraphSink(on_progress=progress)
        sink.markdown(CURSOR)
        # A click reruns the script, which interrupts the stream at its next token.
        st.button(t("chat.stop"), key="stop_answer", icon=":material/stop_circle:")
        handler = StreamingMarkdownHandler(sink)
        started_at = time.monotonic()
        attempts = iter(range(1, settings.max_retries + 1))

        def retrying(status: int) -> None:
            attempt = next(attempts, None)
            if attempt is not None and not handler.has_started:
                sink.notice.caption(
                    t("chat.retrying", status=status, attempt=attempt, of=settings.max_retries)
                )

        try:
            with reporting_retries(retrying):
                reply = respond(history, question, settings, language=language, handler=handler)
        except ScriptControlException:
            keep(ChatMessage.assistant(handler.text, status=Status.STOPPED))
            raise
        except Exception as exc:  # every failure becomes a message in the page
            error = _failure(exc, settings, handler, started_at, sent_images=question.has_images)
            keep(ChatMessage.assistant(handler.text, status=Status.FAILED, error=error))
            return
        problem = finish_problem(
            reply.finish_reason, max_tokens=settings.max_tokens, base_url=settings.base_url
        )
        if problem is not None and problem.kind is not ErrorKind.LENGTH_LIMIT:
            log.warning(
                "answer failed (%s): the stream ended without a finish reason", problem.kind
            )
            status = Status.FAILED
        else:
            status = Status.COMPLETE
        keep(ChatMessage.assistant(reply.text, status=status, error=problem, usage=reply.usage))
