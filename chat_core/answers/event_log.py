"""An answer's events, kept in order and read by any number of followers.

One log per answer, written by its run's thread and read by pages on theirs. Text is
the only copy of the answer being written: consecutive pieces of the same kind are kept
together as one stretch, and a follower copies only what it has not read, so following
an answer costs time linear in its length however often a page looks.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from chat_core.answers.events import AnswerEvent, AnswerText, Ended, ThinkingText

__all__ = ["AnswerLog", "Cursor", "News"]


@dataclass(frozen=True)
class Cursor:
    """How far a follower has read: the entries before ``entry`` whole, and ``offset``
    characters of that one (a text stretch), or 1 for an event read."""

    entry: int = 0
    offset: int = 0


@dataclass(frozen=True)
class News:
    """What came since a cursor, and the cursor after it."""

    events: tuple[AnswerEvent, ...]
    cursor: Cursor

    @property
    def ended(self) -> Ended | None:
        last = self.events[-1] if self.events else None
        return last if isinstance(last, Ended) else None


class _Stretch:
    """Consecutive pieces of one kind of text, kept as pieces so that a reader copies
    only the end it has not seen."""

    def __init__(self, kind: type[ThinkingText] | type[AnswerText], at: float) -> None:
        self.kind = kind
        self.began_at = at
        self._parts: list[str] = []
        self._ends: list[int] = []  # the text's length after each piece
        self.length = 0

    def add(self, piece: str) -> None:
        self._parts.append(piece)
        self.length += len(piece)
        self._ends.append(self.length)

    def since(self, seen: int) -> str:
        first = bisect_right(self._ends, seen)
        start = self._ends[first - 1] if first else 0
        return "".join(self._parts[first:])[seen - start :]


_Entry = _Stretch | AnswerEvent


def _size(entry: _Entry) -> int:
    return entry.length if isinstance(entry, _Stretch) else 1


class AnswerLog:
    """Thread-safe: one writer (the run) appends, followers wait for news."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: list[_Entry] = []
        self._changed = threading.Condition()
        self._ended: Ended | None = None
        self._ended_at: float | None = None

    def emit(self, event: AnswerEvent) -> None:
        """Add ``event``; a text piece joins the stretch before it when of the same kind."""
        with self._changed:
            if self._ended is not None:
                return  # nothing follows the end
            if isinstance(event, ThinkingText | AnswerText):
                if not event.text:
                    return
                last = self._entries[-1] if self._entries else None
                if not (isinstance(last, _Stretch) and last.kind is type(event)):
                    last = _Stretch(type(event), self._clock())
                    self._entries.append(last)
                last.add(event.text)
            else:
                self._entries.append(event)
                if isinstance(event, Ended):
                    self._ended, self._ended_at = event, self._clock()
            self._changed.notify_all()

    @property
    def ended(self) -> Ended | None:
        return self._ended

    @property
    def ended_at(self) -> float | None:
        return self._ended_at

    def text(self, kind: type[ThinkingText] | type[AnswerText] = AnswerText) -> str:
        """All the text of one kind so far (the answer, or the thinking)."""
        with self._changed:
            return "".join(
                entry.since(0)
                for entry in self._entries
                if isinstance(entry, _Stretch) and entry.kind is kind
            )

    def thought_for(self) -> float | None:
        """Seconds from the first thought to the answer's first words (or to the end, if
        it ended while thinking); None while it thinks, or when it never thought."""
        with self._changed:
            began = self._began(ThinkingText)
            if began is None:
                return None
            answered = self._began(AnswerText)
            end = answered if answered is not None else self._ended_at
            return None if end is None else end - began

    def _began(self, kind: type[ThinkingText] | type[AnswerText]) -> float | None:
        return next(
            (e.began_at for e in self._entries if isinstance(e, _Stretch) and e.kind is kind),
            None,
        )

    def follow(self, cursor: Cursor, timeout: float) -> News:
        """What came after ``cursor``, once something has or after ``timeout`` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self._has_news(cursor), timeout=timeout)
            return self._news(cursor)

    def _has_news(self, cursor: Cursor) -> bool:
        entries = self._entries
        if len(entries) > cursor.entry + 1:
            return True
        return len(entries) == cursor.entry + 1 and _size(entries[-1]) > cursor.offset

    def _news(self, cursor: Cursor) -> News:
        events: list[AnswerEvent] = []
        for index in range(cursor.entry, len(self._entries)):
            entry = self._entries[index]
            seen = cursor.offset if index == cursor.entry else 0
            if _size(entry) <= seen:
                continue
            events.append(entry.kind(entry.since(seen)) if isinstance(entry, _Stretch) else entry)
        if not self._entries:
            return News((), cursor)
        last = len(self._entries) - 1
        return News(tuple(events), Cursor(last, _size(self._entries[last])))
