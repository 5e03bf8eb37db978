"""The answer being written, as a page shows it: drained from its job into the bubble."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from chat_core.answers.event_log import Cursor
from chat_core.answers.events import (
    AnswerEvent,
    AnswerText,
    Ended,
    Retrying,
    StepChanged,
    ThinkingText,
    ToolsNotice,
)
from chat_core.answers.jobs import AnswerJob
from chat_core.answers.redraw_pace import CURSOR, REDRAW_EVERY, RedrawThrottle
from chat_core.conversation.messages import ChatMessage
from chat_core.i18n import Translator
from chat_core.markdown.stream_layout import StreamLayout
from chat_core.markdown.visitor_text import display_markdown, escape_markdown
from components.tool_steps_view import StepView, render_sources

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
    its shape (see ``chat_core.markdown.stream_layout``). Images are shown as links. The
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
) -> Ended:
    """Draw ``job``'s answer in a new bubble from its events so far, then as they come;
    return its end when the job ends. Leaving the page leaves the job running.

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
        bubble = _Bubble(t, job)
    begun = _Once(once_begun)
    cursor, last_pulse = Cursor(), time.monotonic()
    while True:
        news = job.follow(cursor, timeout=_PULSE if begun.done else _BEGIN_WAIT)
        cursor = news.cursor
        for event in news.events:
            bubble.draw(event)
        begun()
        if news.ended is not None:
            return news.ended
        if news.events:
            time.sleep(batch_every())  # take tokens in batches
        elif time.monotonic() - last_pulse >= _PULSE:
            last_pulse = time.monotonic()
            bubble.tick()


class _Bubble:
    """The assistant's bubble while it follows a job: thoughts above, the answer below,
    each event drawn where it belongs; a tool step goes after the text before it, and
    the text after it into a new place below it."""

    def __init__(self, t: Translator, job: AnswerJob) -> None:
        self._t = t
        self._job = job
        self._notices = st.container()  # a server down, a model that cannot use tools
        thinking_area = st.container()
        self._flow = st.container()  # the answer's text and steps, in their order
        with self._flow:
            self._sink = ParagraphSink()
        self._sources = st.container()  # what web tools found, once the answer ended
        self._thoughts = ThinkingBlock(thinking_area, t, self._sink)
        self._answer = RedrawThrottle(self._sink)  # at most one redraw per 50 ms
        self._steps: dict[tuple[int, str], StepView] = {}
        self._retrying: Retrying | None = None
        self._sink.markdown(CURSOR)

    def draw(self, event: AnswerEvent) -> None:
        match event:
            case ThinkingText(text=text):
                self._thoughts.add(text)
                self._show_notice()
            case AnswerText(text=text):
                self._thoughts.fold(self._job.thought_for())
                self._answer.add(text)
            case StepChanged(step=step):
                self._thoughts.fold(self._job.thought_for())
                self._show_step(step)
            case ToolsNotice():
                self._show_tools_notice(event)
            case Retrying():
                self._retrying = event
                self._show_notice()
            case Ended(answer=answer):
                self._thoughts.end(answer)
                self._answer.finish()
                with self._sources:
                    render_sources(answer.steps, self._t)

    def _show_step(self, step) -> None:
        key = (step.round, step.call_id)
        view = self._steps.get(key)
        if view is None:
            self._answer.finish()  # the text before it stays above it, without a cursor
            self._sink.notice.empty()
            with self._flow:
                view = self._steps[key] = StepView(self._t, self._job.decide)
                self._sink = ParagraphSink()  # the text after it
            self._answer = RedrawThrottle(self._sink)
        view.show(step)

    def _show_tools_notice(self, notice: ToolsNotice) -> None:
        text = self._t("tools.unsupported") if notice.unsupported else notice.text
        with self._notices:
            st.caption(escape_markdown(text))

    def tick(self) -> None:
        """While nothing comes, the page still draws (the thinking's seconds, the notice):
        a script hears of a click, Stop too, only when it draws."""
        self._thoughts.tick()
        self._show_notice()

    def _show_notice(self) -> None:
        """Why no text comes yet (the server is being retried), until some does."""
        retrying = self._retrying
        if retrying is not None and not self._answer.has_started and not self._thoughts.seen:
            of = retrying.attempts
            notice = self._t(
                "chat.retrying", status=retrying.status, attempt=retrying.attempt, of=of
            )
            self._sink.notice.caption(notice)
        else:
            self._sink.notice.empty()


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
        self._drawer: RedrawThrottle | None = None
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
                self._drawer = RedrawThrottle(ParagraphSink())
        self._drawer.add(text)
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
