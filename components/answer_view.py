"""The answer being written, as a page shows it: drained from its job into the bubble."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from chat_core.i18n import Translator
from chat_core.jobs import AnswerJob
from chat_core.messages import ChatMessage
from chat_core.stream_layout import StreamLayout
from chat_core.streaming import CURSOR, REDRAW_EVERY, StreamingMarkdownHandler
from chat_core.text import display_markdown

__all__ = ["ParagraphSink", "follow_answer"]

# How long the page waits for new text before it shows it is still there (and lets
# Streamlit notice a click or a page change: a script only hears of those when it draws).
_PULSE = 0.5
# How long the bubble waits for its first words before the rest of the page is drawn
# anyway: Streamlit fades what a run has not redrawn about half a second after it starts.
_BEGIN_WAIT = 0.25


class ParagraphSink:
    """A token sink that draws settled blocks once and redraws only a short tail.

    Each redraw re-sends its whole text to the browser, so redrawing at most
    ``TAIL_LIMIT`` characters keeps the traffic linear in the answer's length whatever
    its shape (see ``chat_core.stream_layout``). Images are shown as links. The
    finished answer is drawn whole on the next run.
    """

    def __init__(self) -> None:
        self._container = st.container()
        self._tail = self._container.empty()
        self._flow = None  # the container of a long paragraph's pieces, while it grows
        self.notice = st.empty()  # "retrying…" while the server is busy; gone at the first token
        self._layout = StreamLayout()

    def markdown(self, text: str) -> None:
        cursor = CURSOR if text.endswith(CURSOR) else ""
        body = text[: len(text) - len(cursor)]
        if body:
            self.notice.empty()
        layout = self._layout.update(body)
        for block, flowing in zip(layout.settled, layout.flowing, strict=True):
            if flowing and self._flow is None:  # in the tail's place, so nothing moves
                self._flow = self._tail.container(key=f"answer_flow_{uuid.uuid4().hex}")
                self._tail = self._flow.empty()
            self._tail.markdown(display_markdown(_held_space(block) if flowing else block))
            if not flowing:
                self._flow = None
            self._tail = (self._flow or self._container).empty()
        self._tail.markdown(display_markdown(layout.tail + cursor))


def _held_space(piece: str) -> str:
    """A paragraph's piece drawn inline before the next: its ending space, if it has one,
    is a no-break space, which Markdown does not strip from the paragraph's end."""
    return piece.rstrip() + "\u00a0" if piece[-1:].isspace() else piece


def follow_answer(
    job: AnswerJob,
    t: Translator,
    *,
    stop: Callable[[], None],
    stop_area: DeltaGenerator,
    batch_every: Callable[[], float] = lambda: REDRAW_EVERY,
    once_begun: Callable[[], None] = lambda: None,
) -> ChatMessage:
    """Draw ``job``'s answer in a new bubble from what it has written so far, then as it
    comes; return the answer when the job ends. Leaving the page leaves the job running.

    Stop goes in ``stop_area``. ``once_begun`` draws the rest of the page, once: as soon
    as the first words (or thoughts) are shown, or after ``_BEGIN_WAIT`` without any, so
    the bubble comes first and nothing the run has not redrawn is left fading while the
    answer streams.

    After new text the page waits ``batch_every()`` seconds before it looks again: one
    wake-up per token would cost the server a thread switch for every token of every
    visitor, and a busy server batches more (``redraw_interval``).
    """
    with stop_area:  # beside the message box: it stays in place while the answer grows
        st.button(t("chat.stop"), key="stop_answer", icon=":material/stop_circle:", on_click=stop)
    with st.chat_message("assistant"):
        thinking_area = st.container()
        sink = ParagraphSink()
        thoughts = ThinkingBlock(thinking_area, t, sink)
        drawer = StreamingMarkdownHandler(sink)  # throttled: at most one redraw per 50 ms
        sink.markdown(CURSOR)
    begun = _Once(once_begun)
    seen, last_pulse = 0, time.monotonic()
    while True:
        wait = _PULSE if begun.done else _BEGIN_WAIT
        progress = job.wait(seen, timeout=wait, seen_thinking=thoughts.seen)
        thoughts.add(progress.thinking)
        if progress.text:
            thoughts.fold(progress.thought_for)
            drawer.on_llm_new_token(progress.text)
            seen += len(progress.text)
        begun()
        if progress.done:
            thoughts.end(progress.final)
            drawer.finish()
            return progress.final
        if progress.text or progress.thinking:
            time.sleep(batch_every())  # take tokens in batches
        elif time.monotonic() - last_pulse >= _PULSE:
            last_pulse = time.monotonic()
            thoughts.tick()
            _pulse(sink, job, t, seen + thoughts.seen)


class _Once:
    """A callable that calls ``action`` the first time only."""

    def __init__(self, action: Callable[[], None]) -> None:
        self._action = action
        self.done = False

    def __call__(self) -> None:
        if not self.done:
            self.done = True
            self._action()


class ThinkingBlock:
    """A thinking model's thoughts, live in a "Thinking… N s" block above the answer,
    folded to "Thought for N s" when the answer starts."""

    def __init__(self, area, t: Translator, answer: ParagraphSink) -> None:
        self._area = area
        self._t = t
        self._answer = answer
        self._status = None
        self._drawer: StreamingMarkdownHandler | None = None
        self._started_at = time.monotonic()
        self._shown_seconds = 0
        self.seen = 0
        self._folded = False

    def add(self, text: str) -> None:
        if not text:
            return
        if self._status is None:
            self._started_at = time.monotonic()
            self._answer.markdown("")  # no answer cursor under the thoughts
            with self._area:
                label = self._t("thinking.live", seconds=0)
                self._status = st.status(label, state="running", expanded=True)
            with self._status:
                self._drawer = StreamingMarkdownHandler(ParagraphSink())
        self._drawer.on_llm_new_token(text)
        self.seen += len(text)
        self.tick()

    def tick(self) -> None:
        """The seconds in the label, while it thinks (redrawn once a second)."""
        if self._status is None or self._folded:
            return
        seconds = int(time.monotonic() - self._started_at)
        if seconds != self._shown_seconds:
            self._shown_seconds = seconds
            # Each update re-sends the block; without `expanded` and `state` the browser
            # folds it and marks it done while the model is still thinking.
            label = self._t("thinking.live", seconds=seconds)
            self._status.update(label=label, state="running", expanded=True)

    def fold(self, seconds: float | None) -> None:
        """The answer has begun: the thoughts fold away under how long they took."""
        if self._status is None or self._folded:
            return
        self._folded = True
        self._drawer.finish()
        elapsed = seconds if seconds is not None else time.monotonic() - self._started_at
        label = self._t("thinking.done", seconds=max(1, round(elapsed)))
        self._status.update(label=label, state="complete", expanded=False)

    def end(self, answer: ChatMessage) -> None:
        """The job ended; if it ended while thinking, the block says so."""
        if self._status is None or self._folded:
            return
        self._drawer.finish()
        self._folded = True
        self._status.update(label=self._t("thinking.cut"), state="error", expanded=True)


def _pulse(sink: ParagraphSink, job: AnswerJob, t: Translator, seen: int) -> None:
    """While no text comes: say why (the server is being retried), or how long it has been."""
    if job.retry is not None and not seen:
        status, attempt, attempts = job.retry
        sink.notice.caption(t("chat.retrying", status=status, attempt=attempt, of=attempts))
    else:
        sink.notice.empty()
