"""Cleaning what visitors type and making model Markdown safe to show."""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["clean_user_text", "display_markdown", "escape_markdown"]

# C0 and C1 control characters, NUL included, except tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Fenced code blocks and inline code, which are shown literally and left alone.
_CODE = re.compile(r"(^|\n)(```|~~~)[^\n]*\n.*?(\n\2[^\n]*(?=\n|$)|$)|`[^`\n]+`", re.DOTALL)
_IMAGE = re.compile(r"!(\[[^\]\n]*\]\s*[\[(])")
# LaTeX delimiters models often write, which Streamlit's Markdown does not read as math.
_DISPLAY_MATH = re.compile(r"\\\[(.+?)\\\]", re.DOTALL)
_INLINE_MATH = re.compile(r"\\\((.+?)\\\)")


def clean_user_text(raw: str) -> str:
    """The message without control characters or surrounding blank space."""
    return _CONTROL.sub("", raw).strip()


def _outside_code(markdown: str, change: Callable[[str], str]) -> str:
    """``markdown`` with ``change`` applied to everything but code, which is shown literally."""
    pieces: list[str] = []
    position = 0
    for code in _CODE.finditer(markdown):
        pieces.append(change(markdown[position : code.start()]))
        pieces.append(code.group(0))
        position = code.end()
    pieces.append(change(markdown[position:]))
    return "".join(pieces)


def _as_shown(text: str) -> str:
    """Images as links, and LaTeX in the delimiters Streamlit renders (text outside code)."""
    text = _IMAGE.sub(r"\1", text)
    return _INLINE_MATH.sub(r"$\1$", _DISPLAY_MATH.sub(r"$$\1$$", text))


def display_markdown(markdown: str) -> str:
    """A model's Markdown as the page shows it; the stored text (and what Copy gives)
    stays as the model wrote it.

    Images become links: an image in an answer would be fetched by the visitor's
    browser as soon as it is drawn, telling a third party who read what, while a
    link is only followed if the visitor clicks it. ``\\(x\\)`` and ``\\[x\\]``
    become ``$x$`` and ``$$x$$``, which Streamlit renders as math.
    """
    return _outside_code(markdown, _as_shown)


# What forms Markdown (or Streamlit's :colour[...] and $math$) inside a line of text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>$~|])")


def escape_markdown(text: str) -> str:
    """``text`` shown literally inside Markdown (a file name, say), on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
