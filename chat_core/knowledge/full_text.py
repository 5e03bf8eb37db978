"""A question as a full-text query for SQLite FTS5's trigram tokenizer: every trigram of
the question, each quoted (so nothing a visitor types is read as FTS5 syntax), any of
them matching, ranked by BM25 (which weighs the rare ones most). Trigrams find Japanese
words, which have no spaces between them, as well as English ones."""

from __future__ import annotations

__all__ = ["MAX_TERMS", "trigram_query"]

MAX_TERMS = 200  # of one question: a long one costs the index no more than this


def trigram_query(question: str) -> str | None:
    """The FTS5 MATCH expression for ``question``; None when it has no trigram to look for."""
    text = " ".join(question.lower().split())
    seen: dict[str, None] = {}
    for start in range(max(0, len(text) - 2)):
        gram = text[start : start + 3]
        if len(gram.strip()) == 3:  # no trigram of spaces at a word's edge
            seen.setdefault(gram, None)
        if len(seen) >= MAX_TERMS:
            break
    if not seen:
        return None
    return " OR ".join('"' + gram.replace('"', '""') + '"' for gram in seen)
