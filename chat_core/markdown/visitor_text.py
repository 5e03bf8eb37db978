"""Cleaning what visitors type and making Markdown safe to show."""

from __future__ import annotations

import re
import unicodedata

from chat_core.markdown.safety import CUT_NOTE, MAX_SHOWN_CHARS, display_markdown, display_question

__all__ = [
    "CUT_NOTE",
    "MAX_SHOWN_CHARS",
    "clean_user_text",
    "display_markdown",
    "display_question",
    "escape_markdown",
    "one_line",
    "shorten",
    "without_invisible",
]

# C0 and C1 control characters, NUL included, except tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# Unicode categories that show nothing but can change how the rest shows: format characters
# (bidi overrides and isolates, zero-width ones), controls, lone surrogates, line and
# paragraph separators.
_INVISIBLE = frozenset({"Cf", "Cc", "Cs", "Zl", "Zp"})


def without_invisible(text: str) -> str:
    """``text`` without invisible characters, which can make it show as something else.

    A right-to-left override shows ``report<U+202E>fdp.txt`` as "reporttxt.pdf".
    """
    return "".join(c for c in text if unicodedata.category(c) not in _INVISIBLE)


def one_line(text: str) -> str:
    """``text`` on one line: white space folded, invisible characters dropped."""
    return " ".join(without_invisible(" ".join(text.split())).split())


def shorten(text: str, length: int) -> str:
    """``text`` cut to at most ``length`` characters, an ellipsis saying so."""
    return text if len(text) <= length else text[: length - 1] + "…"


def clean_user_text(raw: str) -> str:
    """The message without control characters or surrounding blank space."""
    return _CONTROL.sub("", raw).strip()


# What forms Markdown (or Streamlit's :colour[...] and $math$) inside a line of text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>$~|])")
# Where GitHub's autolink literals start a link: ``https://``, ``www.``, ``name@host``.
# Streamlit's renderer (remark-gfm) finds them again in the text once its escapes are
# read, so no backslash stops them; an invisible word joiner there does.
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)")
WORD_JOINER = "\u2060"


def escape_markdown(text: str) -> str:
    """``text`` shown literally inside Markdown (a file name, a title), on one line, with
    nothing in it made a link."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _AUTOLINK.sub(WORD_JOINER, escaped)
