"""A LangChain callback handler that streams tokens into any Markdown sink, throttled by time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from langchain_core.callbacks import BaseCallbackHandler

__all__ = ["CURSOR", "REDRAW_EVERY", "StreamingMarkdownHandler", "TokenSink", "redraw_interval"]

CURSOR = "▌"

# A page takes new tokens in batches this far apart while few answers stream at once.
REDRAW_EVERY = 0.04
# Past this many answers streaming in one process, batches grow with their number: every
# redraw costs the server (under one GIL) the same, so a busy process redraws each answer
# less often and stays quick to start the next one, up to one redraw a second.
_SMOOTH_UP_TO = 4
_SLOWEST = 1.0


def redraw_interval(answers_streaming: int) -> float:
    """Seconds between a page's redraws of its answer, given how many are streaming."""
    crowd = max(1, answers_streaming) / _SMOOTH_UP_TO
    return min(_SLOWEST, REDRAW_EVERY * max(1.0, crowd))


class TokenSink(Protocol):
    """Anything that can show a whole Markdown text, replacing what it showed before."""

    def markdown(self, text: str) -> object: ...


class StreamingMarkdownHandler(BaseCallbackHandler):
    """Collects streamed tokens and redraws the sink at most every ``min_interval`` s.

    The first token is drawn at once (time to first token is what people feel);
    later ones are batched, because every redraw re-sends the whole text to the
    browser. The end of the answer is always drawn, without the cursor.

    One handler serves one answer: create it per call, never share it.
    """

    # Let exceptions raised by the sink (Streamlit's stop/rerun signals, a closed
    # page) end the model call instead of being logged and swallowed.
    raise_error = True

    def __init__(
        self,
        sink: TokenSink,
        *,
        min_interval: float = 0.05,
        cursor: str = CURSOR,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sink = sink
        self._min_interval = min_interval
        self._cursor = cursor
        self._clock = clock
        self._parts: list[str] = []
        self._last_draw: float | None = None
        self._drawn: str | None = None
        self.redraws = 0

    @property
    def text(self) -> str:
        """Everything received so far, drawn or not."""
        return "".join(self._parts)

    @property
    def has_started(self) -> bool:
        return bool(self._parts)

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        if not token:
            return
        self._parts.append(token)
        now = self._clock()
        if self._last_draw is None or now - self._last_draw >= self._min_interval:
            self._draw(self.text + self._cursor, now)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.finish()

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.finish()

    def finish(self) -> None:
        """Draw the text received so far without the cursor (idempotent)."""
        text = self.text
        if text != self._drawn:
            self._draw(text, self._clock())

    def _draw(self, text: str, now: float) -> None:
        # Mark drawn *before* calling the sink: if the sink raises (a stop
        # signal), the handler stays consistent for finish().
        self._last_draw = now
        self._drawn = text
        self.redraws += 1
        self._sink.markdown(text)
