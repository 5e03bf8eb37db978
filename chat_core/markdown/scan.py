"""Where a Markdown text's images, code, math, paragraphs and deep nesting are, found in
linear time by markdown-it-py set up as close to Streamlit's renderer as it goes."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from functools import partial

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS
from markdown_it.ruler import Ruler
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

__all__ = ["MAX_DEPTH", "MD", "MD_WITHOUT_MATH", "Edit", "Scan", "parse"]

# Deeper blockquotes and lists are shown as text: the browser's renderer recurses once
# per level, and a few thousand levels crash it.
MAX_DEPTH = 32

# markdown-it's own limit on blocks: above what MAX_DEPTH containers reach (a list is two
# levels), so that it never drops what is nested deeper, as it would.
_PARSER_NESTING = 2 * MAX_DEPTH + 16
# Links and images inside link text deeper than this are left to the fallback (real text
# nests two or three): looking for the end of a link's text costs this much per character.
_INLINE_NESTING = 8
_KEY = "chat_core.markdown.scan"
_DOLLARS = re.compile(r"\$+")
_ORDERED_MARKER = re.compile(r"[0-9]{1,9}[.)]")
# Blocks whose text is not Markdown.
_OPAQUE = ("fence", "code", "math_block", "html_block")

Edit = tuple[int, int, str]  # replace text[start:end] by the string


class Scan:
    """What one parse found, in positions of the text parsed (kept in the parser's env)."""

    def __init__(self) -> None:
        self.depth = 0
        self.images: list[int] = []
        self.escapes: list[tuple[int, int, str]] = []  # (block, position, "(" ")" "[" or "]")
        self.protected: list[tuple[int, int]] = []  # code spans and inline math
        self.opaque: list[tuple[int, int]] = []  # code, math and HTML blocks
        self.markers: list[int] = []  # too deep: a backslash goes here
        self.line_ends: list[int] = []  # newlines inside paragraphs
        self.overflow = False  # markdown-it's nesting limit was reached: its view is partial
        self.unmapped = False  # something was found in text whose position is unknown
        self.block = 0
        self.bases = [0]
        self._starts: list[int] | None = None
        self._sources: list[int] = []

    def enter(self, token: Token) -> None:
        """Inline parsing of ``token`` begins: positions are now relative to its content."""
        self.block += 1
        self.bases = [0]
        segments = token.meta.get(_KEY)
        self._starts, self._sources = segments if segments else (None, [])

    def at(self, pos: int) -> int | None:
        """The position in the parsed text of ``pos`` in the inline content being parsed."""
        if self._starts is None:
            self.unmapped = True
            return None
        pos += self.bases[-1]
        i = bisect_right(self._starts, pos) - 1
        return self._sources[i] + pos - self._starts[i]


def _scan(state: StateBlock | StateInline) -> Scan:
    return state.env[_KEY]


# Block rules ---------------------------------------------------------------------------


def _container(rule: Callable[..., bool]) -> Callable[..., bool]:
    """``rule`` (a blockquote, list or footnote) refused below MAX_DEPTH containers."""

    def limited(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        scan = _scan(state)
        if scan.depth >= MAX_DEPTH:
            return False
        if silent:
            return rule(state, start_line, end_line, silent)
        scan.depth += 1
        try:
            return rule(state, start_line, end_line, silent)
        finally:
            scan.depth -= 1

    return limited


def _leaf(kind: str, rule: Callable[..., bool]) -> Callable[..., bool]:
    """``rule`` (a block holding inline text) noting where its text comes from."""

    def noting(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        first = len(state.tokens)
        found = rule(state, start_line, end_line, silent)
        if found and not silent:
            _note_leaf(kind, state, start_line, state.tokens[first:])
        return found

    return noting


def _note_leaf(kind: str, state: StateBlock, start_line: int, tokens: list[Token]) -> None:
    """Where the text of the block just parsed comes from, its paragraph line ends, and
    any container marker in it past MAX_DEPTH."""
    scan = _scan(state)
    if kind in _OPAQUE:
        scan.opaque.append((state.bMarks[start_line], state.eMarks[state.line - 1]))
        return
    inline = [token for token in tokens if token.type == "inline"]
    if kind == "table":
        _note_table(state, tokens)
    elif kind == "heading":
        start = state.bMarks[start_line] + state.tShift[start_line] + len(tokens[0].markup)
        rest = state.src[start : state.eMarks[start_line]]
        start += len(rest) - len(rest.lstrip(MD_TRIM_CHARS))
        content = inline[0].content
        if state.src[start : start + len(content)] == content:
            inline[0].meta[_KEY] = ([0], [start])
    else:
        end_line = state.line if kind == "paragraph" else state.line - 1
        _note_lines(state, start_line, end_line, inline[0])
        if kind == "paragraph":
            scan.line_ends.extend(state.eMarks[line] for line in range(start_line, end_line - 1))
    if scan.depth >= MAX_DEPTH:
        _note_deep_markers(state, start_line, state.line)


def _note_lines(state: StateBlock, start_line: int, end_line: int, token: Token) -> None:
    """Where each line of a paragraph's text starts in the source (lines end where theirs do)."""
    raw = state.getLines(start_line, end_line, state.blkIndent, False)
    lead = len(raw) - len(raw.lstrip(MD_TRIM_CHARS))
    trail = len(raw) - len(raw.rstrip(MD_TRIM_CHARS))
    if raw[lead : len(raw) - trail] != token.content:
        return
    pieces = raw.split("\n")
    if len(pieces) != end_line - start_line:
        return
    starts, sources, offset = [], [], -lead
    for line, piece in zip(range(start_line, end_line), pieces, strict=True):
        starts.append(offset)
        sources.append(state.eMarks[line] - len(piece))
        offset += len(piece) + 1
    token.meta[_KEY] = (starts, sources)


def _note_table(state: StateBlock, tokens: list[Token]) -> None:
    """Where each cell's text comes from (markdown-it drops the backslash of ``\\|``)."""
    cells: list[tuple[str, list[int], list[int]]] = []
    for token in tokens:
        if token.type == "tr_open" and token.map:
            cells = _row_cells(state, token.map[0])
        elif token.type == "inline":
            content, starts, sources = cells.pop(0) if cells else ("", [], [])
            if content == token.content and starts:
                token.meta[_KEY] = (starts, sources)


def _row_cells(state: StateBlock, line: int) -> list[tuple[str, list[int], list[int]]]:
    start = state.bMarks[line] + state.tShift[line]
    raw = state.src[start : state.eMarks[line]]
    text = raw.strip(MD_TRIM_CHARS)
    base = start + len(raw) - len(raw.lstrip(MD_TRIM_CHARS))
    cells: list[tuple[str, list[int], list[int]]] = []
    pieces: list[tuple[int, int]] = []  # (start, end) in text of the pieces of one cell

    def close() -> None:
        content, starts, sources, offset = "", [], [], 0
        for piece_start, piece_end in pieces:
            starts.append(offset)
            sources.append(base + piece_start)
            content += text[piece_start:piece_end]
            offset += piece_end - piece_start
        lead = len(content) - len(content.lstrip(MD_TRIM_CHARS))
        cells.append((content.strip(MD_TRIM_CHARS), [s - lead for s in starts], sources))
        pieces.clear()

    last = 0
    pipe = text.find("|")
    while pipe != -1:
        if pipe > 0 and text[pipe - 1] == "\\":
            pieces.append((last, pipe - 1))
            last = pipe
        else:
            pieces.append((last, pipe))
            close()
            last = pipe + 1
        pipe = text.find("|", pipe + 1)
    pieces.append((last, len(text)))
    close()
    if cells and not cells[0][0]:
        cells.pop(0)
    if cells and not cells[-1][0]:
        cells.pop()
    return cells


def _note_deep_markers(state: StateBlock, start_line: int, end_line: int) -> None:
    """Blockquote, list and footnote markers starting lines below MAX_DEPTH, to escape."""
    src = state.src
    for line in range(start_line, end_line):
        pos, end = state.bMarks[line] + state.tShift[line], state.eMarks[line]
        if pos >= end or state.sCount[line] - state.blkIndent >= 4:
            continue
        bullet = src[pos] in "-+*" and (pos + 1 == end or src[pos + 1] in " \t")
        if bullet or src[pos] == ">" or src.startswith("[^", pos):
            _scan(state).markers.append(pos)
        elif ordered := _ORDERED_MARKER.match(src, pos, end):
            after = ordered.end()
            if after == end or src[after] in " \t":
                _scan(state).markers.append(after - 1)


def _math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """remark-math's display math: a fence of two or more ``$``, closed by a line of at
    least as many, running to the end of its container when unclosed."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    src, start = state.src, state.bMarks[start_line] + state.tShift[start_line]
    opening = _DOLLARS.match(src, start, state.eMarks[start_line])
    if not opening or len(opening.group()) < 2:
        return False
    if src.find("$", opening.end(), state.eMarks[start_line]) != -1:
        return False  # like a backtick fence's info string, its rest holds no "$"
    if silent:
        return True
    line, closed = start_line, False
    while not closed:
        line += 1
        if line >= end_line:
            break
        start, end = state.bMarks[line] + state.tShift[line], state.eMarks[line]
        if start < end and state.sCount[line] < state.blkIndent:
            break
        closing = _DOLLARS.match(src, start, end)
        closed = bool(
            closing
            and state.sCount[line] - state.blkIndent < 4
            and len(closing.group()) >= len(opening.group())
            and not src[closing.end() : end].strip(" \t")
        )
    state.line = line + 1 if closed else line
    token = state.push("math_block", "math", 0)
    token.markup = opening.group()
    token.map = [start_line, state.line]
    token.meta = {"closed": closed}
    return True


# Inline rules --------------------------------------------------------------------------


def _math_inline(state: StateInline, silent: bool) -> bool:
    """remark-math's inline math: like a code span, but between runs of ``$``."""
    src, start, maximum = state.src, state.pos, state.posMax
    opening = _DOLLARS.match(src, start, maximum)
    if not opening:
        return False
    length = opening.end() - start
    last_runs: dict[int, int] | None = getattr(state, "_last_dollar_runs", None)
    if last_runs is None:
        last_runs = {match.end() - match.start(): match.start() for match in _DOLLARS.finditer(src)}
        state._last_dollar_runs = last_runs  # type: ignore[attr-defined]
    if last_runs.get(length, -1) >= opening.end():
        for closing in _DOLLARS.finditer(src, opening.end(), maximum):
            if closing.end() == maximum and src.startswith("$", maximum):
                break  # a run crossing the end of this range closes nothing in it
            if closing.end() - closing.start() == length:
                if not silent:
                    token = state.push("math_inline", "math", 0)
                    token.markup = opening.group()
                    token.content = src[opening.end() : closing.start()]
                state.pos = closing.end()
                return True
    if not silent:
        state.append_pending(opening.group())
    state.pos = opening.end()
    return True


def _noting_inline(kind: str, rule: Callable[[StateInline, bool], bool]) -> Callable[..., bool]:
    """``rule`` noting where the code, math, images and escapes it finds are."""

    def noting(state: StateInline, silent: bool) -> bool:
        if silent:
            return rule(state, silent)
        start, count, scan = state.pos, len(state.tokens), _scan(state)
        if kind == "image":
            scan.bases.append(scan.bases[-1] + start + 2)  # the alt text is parsed apart
            try:
                found = rule(state, silent)
            finally:
                scan.bases.pop()
        else:
            found = rule(state, silent)
        new = state.tokens[-1].type if found and len(state.tokens) > count else ""
        if new == "image":
            image = scan.at(start)
            if image is not None:
                scan.images.append(image)
        elif new in ("code_inline", "math_inline"):
            begin, end = scan.at(start), scan.at(state.pos - 1)
            if begin is not None and end is not None:
                scan.protected.append((begin, end + 1))
        elif new == "text_special" and state.src[start + 1 : start + 2] in ("(", ")", "[", "]"):
            begin = scan.at(start)
            if begin is not None:
                scan.escapes.append((scan.block, begin, state.src[start + 1]))
        return found

    return noting


def _inline(state: StateCore) -> None:
    """markdown-it's core rule parsing inline text, telling the scan which text it is."""
    scan = state.env.get(_KEY)
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            if scan is not None:
                scan.enter(token)
            state.md.inline.parse(token.content, state.md, state.env, token.children)


def _skip_token(ruler: Ruler, state: StateInline) -> None:
    """markdown-it's ``ParserInline.skipToken``, with its own nesting limit, noted when reached.

    Looking for the end of a link's text tries every rule at every character, down to
    this many nested brackets: the cost is linear, times this limit.
    """
    pos, cache = state.pos, state.cache
    if pos in cache:
        state.pos = cache[pos]
        return
    found = False
    if state.level < _INLINE_NESTING:
        for rule in ruler.getRules(""):
            state.level += 1
            found = rule(state, True)
            state.level -= 1
            if found:
                if state.pos <= pos:
                    raise RuntimeError("inline rule didn't increment state.pos")
                break
    else:
        _scan(state).overflow = True
        state.pos = state.posMax
    if not found:
        state.pos += 1
    cache[pos] = state.pos


def _parser(*, math: bool) -> MarkdownIt:
    """markdown-it as close to Streamlit's Markdown as it goes, noting where things are."""
    md = MarkdownIt("commonmark", {"maxNesting": _PARSER_NESTING}).enable(
        ["table", "strikethrough"]
    )
    md.use(footnote_plugin, inline=False)  # GFM has footnotes, not inline ones
    if math:
        alt = ["paragraph", "reference", "blockquote", "list"]
        md.block.ruler.before("fence", "math_block", _math_block, {"alt": alt})
        md.inline.ruler.after("backticks", "math_inline", _math_inline)
    # Wrapping the rules in place keeps which rules may interrupt which.
    for rule in md.block.ruler.__rules__:
        if rule.name in ("blockquote", "list", "footnote_def"):
            rule.fn = _container(rule.fn)
        elif rule.name in ("paragraph", "lheading", "heading", "table", *_OPAQUE):
            rule.fn = _leaf(rule.name, rule.fn)
    for rule in md.inline.ruler.__rules__:
        if rule.name in ("backticks", "math_inline", "image", "escape"):
            rule.fn = _noting_inline(rule.name, rule.fn)
    md.block.ruler.__cache__ = None
    md.inline.ruler.__cache__ = None
    md.core.ruler.at("inline", _inline)
    md.inline.skipToken = partial(_skip_token, md.inline.ruler)  # type: ignore[method-assign]
    for ruler in (md.core.ruler, md.block.ruler, md.inline.ruler, md.inline.ruler2):
        ruler.getRules("")  # compiled now, not half-way while another session's thread reads it
    return md


MD = _parser(math=True)
MD_WITHOUT_MATH = _parser(math=False)


def parse(text: str, md: MarkdownIt = MD) -> tuple[Scan, list[Token]]:
    scan = Scan()
    tokens = md.parse(text, {_KEY: scan})
    return scan, tokens
