"""A question as an FTS5 trigram query, against SQLite's own FTS5: Japanese and English
found, nothing typed read as syntax, bounded."""

import sqlite3

import pytest

from chat_core.knowledge.full_text import MAX_TERMS, trigram_query

PASSAGES = [
    "経費精算の締め切りは毎月二十日です。",
    "The Rokurinsha shop opens at 7:30.",
    "会議では四半期の数字を確認しました。",
]


@pytest.fixture
def db():
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE p USING fts5(text, tokenize='trigram')")
    connection.executemany("INSERT INTO p(rowid, text) VALUES (?, ?)", enumerate(PASSAGES))
    return connection


def best(db, question: str) -> int | None:
    query = trigram_query(question)
    rows = db.execute("SELECT rowid FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT 1", (query,))
    found = rows.fetchone()
    return None if found is None else found[0]


@pytest.mark.parametrize(
    ("question", "row"),
    [("経費精算の締め切りはいつ？", 0), ("When does ROKURINSHA open?", 1), ("四半期の数字", 2)],
)
def test_the_passage_that_shares_the_most_rare_trigrams_comes_first(db, question, row):
    assert best(db, question) == row


@pytest.mark.parametrize("hostile", ['" OR * NEAR(', 'a"b"c NOT d', "p: MATCH ^x*"])
def test_what_a_visitor_types_is_never_fts5_syntax(db, hostile):
    best(db, hostile)  # read as syntax, it would raise sqlite3.OperationalError
    assert trigram_query('a"b') == '"a""b"'


def test_a_question_without_trigrams_and_a_long_one():
    assert trigram_query("  a ") is None
    assert trigram_query("ab") is None
    assert trigram_query("x" * 10 + "".join(chr(0x4E00 + n) for n in range(1_000))).count(
        " OR ") == MAX_TERMS - 1  # fmt: skip
