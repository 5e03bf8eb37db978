"""How often a page redraws the answer it follows: a throttle in time for any Markdown sink,
and the pace that slows as more answers stream at once."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["CURSOR", "REDRAW_EVERY", "RedrawThrottle", "TokenSink", "redraw_interval"]

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


class RedrawThrottle:
    """Collects the text a page receives and redraws the sink at most every
    ``min_interval`` s.

    The first piece is drawn at once (time to first token is what people feel);
    later ones are batched, because every redraw re-sends the whole text to the
    browser. The end of the answer is always drawn, without the cursor. An exception
    the sink raises (Streamlit's stop or rerun signals) goes to the caller.

    One throttle serves one answer on one page: create it per answer, never share it.
    """

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

    def add(self, piece: str) -> None:
        if not piece:
            return
        self._parts.append(piece)
        now = self._clock()
        if self._last_draw is None or now - self._last_draw >= self._min_interval:
            self._draw(self.text + self._cursor, now)

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
