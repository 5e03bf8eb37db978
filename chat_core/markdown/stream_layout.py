"""How a growing Markdown answer is split for drawing: blocks drawn once, a short tail redrawn.

Every redraw sends its whole text to the browser, so what is redrawn must stay short
whatever the answer's shape. Text settles where later tokens cannot change how it
renders (a blank line outside a code fence or ``$$`` block, the end of a fence). A tail
that still grows past ``tail_limit`` bytes (UTF-8, as sent) is cut anyway: inside a code fence at
a line's end, the cut piece closed and the fence reopened for the rest; inside a table
between rows, the header repeated for the rest; elsewhere at a line's end, else at a
space, else anywhere. Such a paragraph's pieces are marked ``flowing``, so the page can
draw them as one paragraph; a bold run cut in two shows its marks until the finished
answer is drawn whole.

The text is scanned once, line by line as lines complete: the cost of an answer is
linear in its length, however it is shaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["TAIL_LIMIT", "Layout", "StreamLayout"]

# The most bytes redrawn at once (about 25 lines of code, a long paragraph in English,
# a third of that in Japanese).
TAIL_LIMIT = 1000

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_TABLE_DELIMITER = re.compile(r" {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


@dataclass
class Layout:
    """What changed since the last update: new blocks to draw once, then the tail."""

    settled: list[str] = field(default_factory=list)
    tail: str = ""
    # One per settled block: whether it was cut inside a paragraph, which the next block
    # (or the tail) goes on with.
    flowing: list[bool] = field(default_factory=list)


class StreamLayout:
    """Feed it the whole text so far (it only grows); it says what to draw."""

    def __init__(self, tail_limit: int = TAIL_LIMIT) -> None:
        self._limit = tail_limit
        self._text = ""
        self._scanned = 0  # where the next unscanned line starts
        self._searched = 0  # how far a line end has been looked for (none found past _scanned)
        self._settled = 0  # where the text not yet drawn for good starts
        self._reopen = ""  # what the tail needs before it: a fence opener or a table head
        self._fence: str | None = None  # the open fence's marker (``` or ~~~, its length)
        self._fence_line = ""
        self._in_math = False
        self._previous_line = ""
        self._table_head = ""

    def update(self, text: str) -> Layout:
        self._text = text
        layout = Layout()
        self._scan_lines(layout)
        while _utf8_length(text, self._settled, self._limit) > self._limit:
            self._cut(layout)
        layout.tail = self._reopen + text[self._settled :] if text[self._settled :] else ""
        return layout

    # Lines ---------------------------------------------------------------------------

    def _scan_lines(self, layout: Layout) -> None:
        text = self._text
        while (end := text.find("\n", max(self._scanned, self._searched))) != -1:
            start, self._scanned = self._scanned, end + 1
            self._line(text[start : end + 1], layout)
        self._searched = len(text)  # a line with no end yet is not searched again

    def _line(self, line: str, layout: Layout) -> None:
        stripped = line.strip()
        if self._fence is not None:
            if stripped.startswith(self._fence) and not stripped.strip(self._fence[0]):
                self._fence = None
                self._settle(self._scanned, layout)
        elif (marker := _FENCE.match(line)) and not self._in_math:
            self._fence, self._fence_line = marker.group(1), line
        elif stripped.count("$$") % 2 == 1:
            self._in_math = not self._in_math
        elif not stripped and not self._in_math:
            self._table_head = ""
            self._settle(self._scanned, layout)
        elif self._table_head and "|" not in line:
            self._table_head = ""
        elif not self._table_head and "|" in self._previous_line and _TABLE_DELIMITER.match(line):
            self._table_head = self._previous_line + line
        self._previous_line = line

    def _settle(self, end: int, layout: Layout) -> None:
        if end > self._settled:
            layout.settled.append(self._reopen + self._text[self._settled : end])
            layout.flowing.append(False)
        self._settled = end
        self._reopen = ""

    # Cuts of a tail that grew too long -----------------------------------------------

    def _cut(self, layout: Layout) -> None:
        text, start = self._text, self._settled
        limit_end = start + _chars_within(text, start, self._limit)
        line_end = self._scanned if self._scanned > start else -1
        if self._fence is not None:
            only_opener = not self._reopen and text[start:line_end] == self._fence_line
            end = line_end if line_end > start and not only_opener else limit_end
            piece = text[start:end]
            closing = ("" if piece.endswith("\n") else "\n") + self._fence + "\n"
            layout.settled.append(self._reopen + piece + closing)
            layout.flowing.append(False)
            self._reopen = self._fence_line
        elif self._table_head and line_end > start:
            end = line_end
            layout.settled.append(self._reopen + text[start:end])
            layout.flowing.append(False)
            self._reopen = self._table_head
        else:
            end = line_end if line_end > start else _space_before(text, start, limit_end)
            layout.settled.append(self._reopen + text[start:end])
            layout.flowing.append(not self._in_math)
            self._reopen = ""
        self._settled = end


def _utf8_length(text: str, start: int, limit: int) -> int:
    """The UTF-8 size of ``text[start:]``, counted only up to a little past ``limit``."""
    if len(text) - start <= limit // 3:
        return len(text) - start  # short enough in any script
    return len(text[start : start + limit + 1].encode())


def _chars_within(text: str, start: int, limit: int) -> int:
    """How many characters from ``start`` fit in ``limit`` UTF-8 bytes (at least one)."""
    head = text[start : start + limit].encode()[:limit].decode(errors="ignore")
    return max(1, len(head))


def _space_before(text: str, start: int, limit_end: int) -> int:
    """Where to cut a line with no end in sight: after its last space, else at the limit."""
    space = text.rfind(" ", start + 1, limit_end)
    return space + 1 if space != -1 else limit_end
