"""A file's text cut into passages for retrieval, with LangChain's recursive splitter:
paragraphs first, then lines, then sentences (Japanese ones end in 。, which has no
space after it), then words. Each passage keeps where it came from (the file, its
page), so an answer can name it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

__all__ = ["PASSAGE_CHARS", "Passage", "split_pages"]

PASSAGE_CHARS = 500  # a fact is a larger share of a shorter passage (bench/retrieval.py)
_OVERLAP_CHARS = 80
_SEPARATORS = ["\n\n", "\n", "。", "！", "？", ". ", "! ", "? ", "、", ", ", " ", ""]


@dataclass(frozen=True)
class Passage:
    source: str  # the file's name
    page: int | None  # its page (a PDF's, from 1); None for a file without pages
    number: int  # its place among the file's passages, from 0
    text: str


def _splitter(chars: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        chunk_size=chars,
        chunk_overlap=min(_OVERLAP_CHARS, chars // 4),
        separators=_SEPARATORS,
        keep_separator="end",  # a sentence keeps its 。 or full stop
        strip_whitespace=True,
    )


def split_pages(
    pages: Sequence[tuple[int | None, str]], source: str, *, chars: int = PASSAGE_CHARS
) -> list[Passage]:
    """The passages of a file given as its pages' texts, in order, none empty."""
    splitter = _splitter(chars)
    passages: list[Passage] = []
    for page, text in pages:
        for piece in splitter.split_text(text):
            if piece.strip():
                passages.append(Passage(source, page, len(passages), piece))
    return passages
