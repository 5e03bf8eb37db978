"""The words a search found, in context: a short stretch of one line of text around them,
split into plain parts and the matching ones (the page escapes both before it shows them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chat_core.markdown.visitor_text import one_line

__all__ = ["AFTER", "BEFORE", "Snippet", "snippet"]

# Characters shown before the first match and after its start: a snippet is short
# whatever the message's length.
BEFORE = 60
AFTER = 160
_CUT = "…"
_WORD = 20  # a cut moves to the nearest space within this many characters, if there is one


@dataclass(frozen=True)
class Snippet:
    """``parts``: (text, whether it is the words searched for), in order."""

    parts: tuple[tuple[str, bool], ...]

    @property
    def text(self) -> str:
        return "".join(part for part, _ in self.parts)


def snippet(text: str, words: str, *, cut_before: bool = False, cut_after: bool = False) -> Snippet:
    """The stretch of ``text`` around the first place ``words`` appear (any case), each
    appearance marked; ``cut_before``/``cut_after``: ``text`` is itself a stretch of a
    longer one, so an ellipsis says so."""
    line, wanted = one_line(text), one_line(words)
    pattern = re.compile(re.escape(wanted), re.IGNORECASE) if wanted else None
    first = pattern.search(line) if pattern else None
    at = first.start() if first else 0
    start, end = _between_words(line, max(0, at - BEFORE), min(len(line), at + AFTER), at)
    window = line[start:end]
    parts = _marked(window, pattern) if pattern else [(window, False)]
    if cut_before or start > 0:
        parts.insert(0, (_CUT, False))
    if cut_after or end < len(line):
        parts.append((_CUT, False))
    return Snippet(tuple(parts))


def _between_words(line: str, start: int, end: int, at: int) -> tuple[int, int]:
    """The cuts moved to spaces near them, so no word is cut where the text has spaces."""
    if start > 0:
        space = line.find(" ", start, min(at, start + _WORD))
        start = start if space < 0 else space + 1
    if end < len(line):
        space = line.rfind(" ", max(at, end - _WORD), end)
        end = end if space < 0 else space
    return start, end


def _marked(window: str, pattern: re.Pattern[str]) -> list[tuple[str, bool]]:
    parts: list[tuple[str, bool]] = []
    cursor = 0
    for found in pattern.finditer(window):
        if found.start() > cursor:
            parts.append((window[cursor : found.start()], False))
        parts.append((found.group(), True))
        cursor = found.end()
    if cursor < len(window):
        parts.append((window[cursor:], False))
    return parts
