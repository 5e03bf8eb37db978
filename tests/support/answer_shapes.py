"""Answers of the shapes that stress a streaming page, as token lists (tests and bench).

Each shape is a list of tokens that join to the answer; ``size`` is the token count.
"""

from __future__ import annotations

__all__ = ["SHAPES", "code_block", "japanese_paragraph", "long_table", "one_paragraph"]

_JAPANESE = "これは長い日本語の段落で、句読点も改行もほとんどないまま続いていきます。"


def one_paragraph(size: int, tag: str = "p") -> list[str]:
    """One paragraph with no line break at all."""
    return [f"{tag}-start"] + [f" word{i}" for i in range(1, size)]


def code_block(size: int, tag: str = "c") -> list[str]:
    """One fenced Python block of ``size - 2`` lines, a line per token."""
    lines = [f"value_{i} = compute({i}, '{tag}')  # line {i}\n" for i in range(size - 2)]
    return [f"```python\n# {tag}-start\n", *lines, "```\n"]


def long_table(size: int, tag: str = "t") -> list[str]:
    """A three-column table of ``size - 1`` rows, a row per token."""
    head = f"| {tag}-start | number | note |\n|---|---:|---|\n"
    return [head] + [f"| row {i} | {i * 7} | item {i} of the list |\n" for i in range(1, size)]


def japanese_paragraph(size: int, tag: str = "j") -> list[str]:
    """One Japanese paragraph with no line break, two or three characters per token."""
    tokens = [f"{tag}-start "]
    position = 0
    while len(tokens) < size:
        step = 2 + len(tokens) % 2
        tokens.append((_JAPANESE * 2)[position : position + step])
        position = (position + step) % len(_JAPANESE)
    return tokens


SHAPES = {
    "one paragraph": one_paragraph,
    "2000-line code block": code_block,
    "long table": long_table,
    "long Japanese paragraph": japanese_paragraph,
}
