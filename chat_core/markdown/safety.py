"""Markdown made safe and readable for ``st.markdown``, found with a real Markdown parser.

The page draws Markdown with react-markdown: CommonMark with GFM tables, strikethrough and
footnotes, remark-math (``$x$`` and ``$$`` blocks) and remark-directive, HTML shown as
text. ``markdown_scan`` finds where the images, code, math and paragraphs are, and the
text is edited at those places only: everything else, code above all, stays as written.
Every step takes time linear in the length of the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable

from markdown_it.token import Token

from chat_core.markdown.scan import MAX_DEPTH, MD, MD_WITHOUT_MATH, Edit, Scan, parse

__all__ = ["CUT_NOTE", "MAX_DEPTH", "MAX_SHOWN_CHARS", "display_markdown", "display_question"]

# Longer text is cut: drawing it would cost the server and the browser more than it helps.
MAX_SHOWN_CHARS = 200_000
CUT_NOTE = "*…the rest of this message is too long to show here: Copy or export it to read it all.*"

# Put between "!" and "[" when no image may survive whatever the parser: invisible, and
# inside code too, where an entity such as &#33; would show as typed.
_WORD_JOINER = "\u2060"

# remark-directive syntax that takes text away from the rest of the line (a [label] or
# {attributes}) or a container directive; where it parses differently from markdown-it,
# markdown-it's view of what is code cannot be trusted.
_DIRECTIVE = re.compile(r":[A-Za-z][\w-]*[\[{]|:::")

# A GFM autolink literal (markdown-it is set without them) runs to the next space or "<",
# taking any backtick or "$" with it, which can open code or math for markdown-it only.
_URL_LITERAL = re.compile(r"(?:^|(?<=[\s*_~(]))(?:www\.|https?://)[^\s<]*")


# The transformation --------------------------------------------------------------------


def _apply(text: str, edits: Iterable[Edit]) -> str:
    pieces, position = [], 0
    for start, end, replacement in sorted(edits):
        pieces += [text[position:start], replacement]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _math_edits(scan: Scan) -> list[Edit]:
    """``\\(x\\)`` and ``\\[x\\]`` as ``$x$`` and ``$$x$$``, paired within one block of text."""
    edits: list[Edit] = []
    opened: tuple[int, int, str] | None = None
    for block, pos, char in scan.escapes:
        if opened is not None and opened[0] != block:
            opened = None
        if opened is None and char in "([":
            opened = (block, pos, char)
        elif opened is not None and char == {"(": ")", "[": "]"}[opened[2]]:
            dollars = "$" if char == ")" else "$$"
            edits += [(opened[1], opened[1] + 2, dollars), (pos, pos + 2, dollars)]
            opened = None
    return edits


def _break_edits(text: str, scan: Scan) -> list[Edit]:
    """Two spaces ending each line of a paragraph but its last: a line break on the page."""
    edits: list[Edit] = []
    protected, i = sorted(scan.protected), 0
    for end in sorted(scan.line_ends):
        while i < len(protected) and protected[i][1] <= end:
            i += 1
        if i < len(protected) and protected[i][0] < end:
            continue  # inside code or math
        line = text[text.rfind("\n", 0, end) + 1 : end]
        backslashes = len(line) - len(line.rstrip("\\"))
        if not line.endswith("  ") and backslashes % 2 == 0:
            edits.append((end, end, "  "))
    return edits


def _has_image(tokens: list[Token]) -> bool:
    stack = list(tokens)
    while stack:
        token = stack.pop()
        if token.type == "image":
            return True
        stack += token.children or ()
    return False


def _url_takes_code_marks(text: str, scan: Scan) -> bool:
    """Whether an autolink literal outside code holds a backtick or ``$``: Streamlit's
    parser takes it as part of the link, markdown-it (set without them) as code or math."""
    code = sorted(scan.protected + scan.opaque)
    starts = [start for start, _ in code]
    for url in _URL_LITERAL.finditer(text):
        if "`" in url.group() or "$" in url.group():
            i = bisect_right(starts, url.start()) - 1
            if i < 0 or code[i][1] <= url.start():
                return True
    return False


def _without_images(text: str, *scans: Scan) -> str:
    """``text`` as it is if no parser can see an image in it, else with none left.

    Left-over ``![`` are normally code or plain text. If anything makes markdown-it's view
    of them doubtful, a word joiner goes between ``!`` and ``[`` everywhere: then no
    Markdown parser can read an image, whatever it takes for code.
    """
    if "![" not in text:
        return text
    doubtful = any(scan.overflow or scan.unmapped for scan in scans) or _DIRECTIVE.search(text)
    for md in (MD, MD_WITHOUT_MATH):
        if doubtful:
            break
        scan, tokens = parse(text, md)
        doubtful = scan.overflow or scan.unmapped or bool(scan.markers) or _has_image(tokens)
        doubtful = doubtful or _url_takes_code_marks(text, scan)
    return text.replace("![", "!" + _WORD_JOINER + "[") if doubtful else text


def _closing_fence(text: str, tokens: list[Token]) -> str:
    """The line closing the fenced code or math the text ends in, if it does."""
    blocks = [token for token in tokens if token.level == 0 and token.map]
    last = max(blocks, key=lambda token: token.map[0] if token.map else 0, default=None)
    if last is None or last.map is None or last.type not in ("fence", "math_block"):
        return ""
    if last.type == "math_block":
        return "" if last.meta.get("closed") else last.markup
    lines = text.split("\n")[last.map[0] : last.map[1]]
    end = lines[-1].strip(" \t") if len(lines) > 1 else ""
    closed = len(end) >= len(last.markup) and not end.strip(last.markup[0])
    return "" if closed else last.markup


def _shown(text: str, limit: int, cut_note: str) -> str:
    """The Markdown ``st.markdown`` is given for ``text`` (see ``display_markdown``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    cut = len(text) > limit
    if cut:
        line_end = text.rfind("\n", 0, limit)
        text = text[: line_end if line_end > limit // 2 else limit]
    scan, tokens = parse(text)
    scans = [scan]
    edits = [(pos, pos + 1, "") for pos in scan.images]
    edits += [(pos, pos, "\\") for pos in scan.markers]
    math = _math_edits(scan)
    if math:
        text = _apply(text, edits + math)
        scan, tokens = parse(text)
        scans.append(scan)
        edits = []
    shown = _without_images(_apply(text, edits + _break_edits(text, scan)), *scans)
    if not cut:
        return shown
    closing = _closing_fence(text, tokens)
    return shown.rstrip("\n") + ("\n" + closing if closing else "") + "\n\n" + cut_note


def display_markdown(
    markdown: str, *, limit: int = MAX_SHOWN_CHARS, cut_note: str = CUT_NOTE
) -> str:
    """A model's Markdown as the page shows it; the stored text (and what Copy gives)
    stays as the model wrote it.

    - Images become links (``![a](u)`` as ``[a](u)``): an image would be fetched by the
      visitor's browser as soon as it is drawn, telling a third party who read what,
      while a link is only followed if clicked. Every image the parser finds goes, in
      any syntax or place; a re-parse then checks none is left.
    - ``\\(x\\)`` and ``\\[x\\]`` become ``$x$`` and ``$$x$$``, which Streamlit renders.
    - A single newline inside a paragraph ends the line on the page, as the model meant
      (two trailing spaces are added): not in code, math, tables or headings.
    - Blockquotes and lists nested deeper than MAX_DEPTH are shown as text, and above
      ``limit`` characters only the head is shown, followed by ``cut_note``.

    Code, inline or in blocks, is never changed, but in one case: where Streamlit's parser
    might read code differently (remark-directive syntax, say) and leave an image outside
    it, an invisible word joiner goes between every ``!`` and ``[``, code included.
    """
    return _shown(markdown, limit, cut_note)


def display_question(text: str, *, limit: int = MAX_SHOWN_CHARS, cut_note: str = CUT_NOTE) -> str:
    """A visitor's question as the page shows it: Markdown, like answers.

    People paste code, lists and tables into questions, and expect them drawn as the
    answer draws them, so questions stay Markdown with the same safety as answers (no
    image is fetched, HTML shows as text) and each line typed ends a line on the page.
    """
    return _shown(text, limit, cut_note)
