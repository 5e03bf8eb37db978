"""The split of a growing answer into blocks drawn once and a short tail redrawn."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from chat_core.markdown.stream_layout import TAIL_LIMIT, StreamLayout
from tests.support.answer_shapes import (
    SHAPES,
    code_block,
    japanese_paragraph,
    long_table,
    one_paragraph,
)

_PARSER = MarkdownIt("commonmark").enable("table")


def _stream(tokens: list[str], limit: int = TAIL_LIMIT) -> tuple[list[str], list[str]]:
    """Feed ``tokens`` one at a time; (every settled block, every tail drawn)."""
    layout, text, settled, tails = StreamLayout(limit), "", [], []
    for token in tokens:
        text += token
        step = layout.update(text)
        settled += step.settled
        tails.append(step.tail)
    return settled, tails


@pytest.mark.parametrize(
    ("text", "settled"),
    [
        ("no break yet", []),
        ("Para one.\n\nPara two grow", ["Para one.\n\n"]),
        ("a\n\n```py\nx = 1\n\ny = 2\n", ["a\n\n"]),  # never inside an open code fence
        (
            "a\n\n```py\nx = 1\n\ny = 2\n```\n\nnext",
            ["a\n\n", "```py\nx = 1\n\ny = 2\n```\n", "\n"],
        ),
        ("~~~\n\n~~~\n\nz", ["~~~\n\n~~~\n", "\n"]),
        ("````\n```\nstill code\n````\n", ["````\n```\nstill code\n````\n"]),
        ("$$\na\n\nb\n$$\n\ntail", ["$$\na\n\nb\n$$\n\n"]),
        ("$$\na\n\nb", []),  # never inside an open math block
        ("1. one\n\n2. two\n\n3. th", ["1. one\n\n", "2. two\n\n"]),
    ],
)
def test_text_settles_where_later_tokens_cannot_change_it(text, settled):
    step = StreamLayout().update(text)
    assert step.settled == settled
    assert "".join(step.settled) + step.tail == text


def test_updates_in_any_pieces_give_the_same_blocks():
    text = (
        "Intro.\n\n```js\nlet a = 1;\n\nlet b = 2;\n```\n\n| h | i |\n|---|---|\n| 1 | 2 |\n\nEnd"
    )
    whole = StreamLayout().update(text)
    for size in (1, 2, 3, 7):
        settled, tails = _stream([text[i : i + size] for i in range(0, len(text), size)])
        assert settled == whole.settled
        assert tails[-1] == whole.tail


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_no_redraw_is_longer_than_the_limit_and_every_block_is_drawn_once(shape):
    tokens = shape(2000)
    settled, tails = _stream(tokens)
    longest_head = len("| p-start | number | note |\n|---|---:|---|\n")
    assert max(len(tail) for tail in tails) <= TAIL_LIMIT + longest_head + 60
    drawn = sum(map(len, settled)) + len(tails[-1])
    assert len("".join(tokens)) <= drawn <= 1.1 * len("".join(tokens)) + 2000


def test_a_long_paragraph_is_cut_at_spaces_and_loses_nothing():
    tokens = one_paragraph(3000)
    settled, tails = _stream(tokens)
    assert len(settled) > 10
    assert all(block.endswith(" ") for block in settled)
    assert "".join(settled) + tails[-1] == "".join(tokens)


def test_text_with_no_space_at_all_is_cut_at_the_limit():
    tokens = japanese_paragraph(3000)
    settled, tails = _stream(tokens, limit=500)
    assert "".join(settled) + tails[-1] == "".join(tokens)
    assert all(len(block) <= 500 for block in settled)


def _fences(markdown: str) -> list[tuple[str, str]]:
    return [(t.info, t.content) for t in _PARSER.parse(markdown) if t.type == "fence"]


def test_a_long_code_block_is_drawn_in_closed_pieces_of_the_same_language():
    tokens = code_block(2000)
    settled, tails = _stream(tokens)
    pieces = [fence for block in [*settled, tails[-1]] for fence in _fences(block)]
    assert len(pieces) > 20
    assert {info for info, _ in pieces} == {"python"}
    assert "".join(content for _, content in pieces) == "".join(tokens[:-1]).split("\n", 1)[1]


def test_one_huge_line_of_code_is_cut_inside_its_fence():
    text = "```text\n" + "x" * 5000
    step = StreamLayout(1000).update(text)
    assert all(_fences(block)[0][0] == "text" for block in step.settled)
    assert step.tail.startswith("```text\n") and len(step.tail) <= 1000 + len("```text\n")
    shown = "".join(_fences(block)[0][1] for block in [*step.settled, step.tail])
    assert shown.replace("\n", "") == "x" * 5000


def test_a_long_table_repeats_its_header_in_every_piece():
    tokens = long_table(1000)
    settled, tails = _stream(tokens)
    head = tokens[0]
    pieces = [*settled, tails[-1]]
    assert len(pieces) > 10
    assert all(piece.startswith(head) for piece in pieces)
    rows = "".join(piece[len(head) :] for piece in pieces)
    assert rows == "".join(tokens[1:])
    assert all(any(t.type == "table_open" for t in _PARSER.parse(piece)) for piece in pieces)


def test_a_table_ends_at_a_line_without_a_pipe():
    text = "| a | b |\n|---|---|\n| 1 | 2 |\nplain text after it\n" + "and more words " * 5
    step = StreamLayout(30).update(text)
    assert "".join(step.settled) + step.tail == text  # no header repeated past the table


def _characters_searched(tokens: list[str]) -> tuple[int, int]:
    """(characters searched for line ends, characters of the answer), fed in batches of
    10 tokens as a page would."""
    searched = 0

    class Text(str):
        def find(self, sub, start=0, end=None):
            nonlocal searched
            found = str.find(self, sub, start, end)
            searched += (len(self) if found == -1 else found + len(sub)) - start
            return found

    layout, parts = StreamLayout(), []
    for i in range(0, len(tokens), 10):
        parts += tokens[i : i + 10]
        layout.update(Text("".join(parts)))
    return searched, len("".join(tokens))


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_each_character_is_searched_for_a_line_end_once(shape):
    """Linear whatever the shape: a paragraph with no line end is not searched again on
    every update (which made a long one's cost grow with its square). Its time is
    measured by ``bench/layout_cost.py``."""
    searched, length = _characters_searched(shape(8000))
    assert searched <= length


def test_the_pieces_of_a_long_paragraph_are_marked_as_flowing_on():
    paragraph = "word " * 600  # 3000 bytes, no line end in sight
    layout, flowing, settled = StreamLayout(), [], []
    text = ""
    for token in [paragraph, "\n\nNext paragraph.\n\n"]:
        text += token
        step = layout.update(text)
        settled += step.settled
        flowing += step.flowing
    cuts = len(flowing) - 2
    assert cuts >= 2
    # cut inside the paragraph; its end and the next paragraph settle as blocks
    assert flowing == [True] * cuts + [False, False]
    assert "".join(settled) == paragraph + "\n\nNext paragraph.\n\n"


def test_cut_code_and_tables_are_blocks_of_their_own():
    code = "```python\n" + "x = 1\n" * 400
    step = StreamLayout().update(code)
    assert step.settled and not any(step.flowing)
    table = "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 200
    step = StreamLayout().update(table)
    assert step.settled and not any(step.flowing)
