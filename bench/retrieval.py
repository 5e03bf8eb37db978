"""Retrieval for knowledge: how fast, and how often the right passage comes first.

Speed: one question over 20,000 passages, ranked by embeddings (a numpy product over
the matrix, at the scripted embedder's 256 dimensions and at text-embedding-3-small's
1,536), by SQLite FTS5 full text with the trigram tokenizer (which finds Japanese words
without spaces), and both fused; beside a baseline measured in the same run, Python's
sorted() of 20,000 floats.

Quality: a generated 200-page corpus, half English and half Japanese, each page holding
one fact among filler; ten questions that name their fact in other words around the key
terms; how many find their page first, by embeddings (tests/support/embeddings.py, as
the scripted server's /v1/embeddings gives them), by full text, and fused.
Not a test: the figures depend on the machine's load.

    .venv/bin/python bench/retrieval.py
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from chat_core.knowledge.full_text import trigram_query
from chat_core.knowledge.passages import split_pages
from chat_core.knowledge.ranking import VectorIndex, fuse
from tests.support.embeddings import embed

PASSAGES = 20_000
RUNS = 20
FACTS = [
    ("The Rokurinsha shop near Tokyo Station opens at 7:30 and serves tsukemen.",
     "What time does Rokurinsha open near Tokyo Station?"),
    ("The thesis defence of Hanako Sato is scheduled for the ninth of March.",
     "When is Hanako Sato's thesis defence?"),
    ("Build servers in the Osaka rack are restarted every Sunday at three.",
     "When are the Osaka rack build servers restarted?"),
    ("The handbook says expense reports are due by the fifth business day.",
     "By when are expense reports due according to the handbook?"),
    ("Project Kestrel uses PostgreSQL 15 with the pgvector extension.",
     "Which database does Project Kestrel use?"),
    ("新人研修は四月の第二月曜日に本社の大会議室で行われます。",
     "新人研修はどこで行われますか？"),
    ("経費精算の締め切りは毎月二十日です。",
     "経費精算の締め切りはいつですか？"),
    ("札幌支社の代表電話番号は〇一一の二三四の五六七八です。",
     "札幌支社の代表電話番号を教えて"),
    ("サーバーの保守作業は第三土曜日の深夜に実施します。",
     "サーバーの保守作業はいつ実施しますか？"),
    ("図書館の貸出期間は二週間で、一回だけ延長できます。",
     "図書館の貸出期間はどのくらいですか？"),
]  # fmt: skip
FILLER_EN = ("The committee reviewed the quarterly figures and agreed to meet again. "
             "Several items were postponed to the next session for lack of time. ")  # fmt: skip
FILLER_JA = "会議では四半期の数字を確認し、次回また集まることで合意しました。時間が足りず、いくつかの議題は次回に持ち越されました。"  # noqa: E501


def timed(work) -> float:
    work()
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds) * 1000


def full_text_index(texts: list[str]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE passages USING fts5(text, tokenize='trigram')")
    db.executemany("INSERT INTO passages(rowid, text) VALUES (?, ?)",
                   [(n, text) for n, text in enumerate(texts)])  # fmt: skip
    return db


def full_text_rank(db: sqlite3.Connection, question: str, count: int = 20) -> list[int]:
    """Rows by BM25 over the question's trigrams (any of them), best first."""
    query = trigram_query(question)
    if query is None:
        return []
    rows = db.execute("SELECT rowid FROM passages WHERE passages MATCH ? ORDER BY bm25(passages) "
                      "LIMIT ?", (query, count))  # fmt: skip
    return [row[0] for row in rows]


def corpus() -> tuple[list[str], list[set[int]]]:
    """200 pages' passages, and the passages that hold each fact (two, where the
    splitter's overlap repeats it)."""
    rng = random.Random(7)
    pages: list[tuple[int, str]] = []
    fact_page = dict(zip(rng.sample(range(200), len(FACTS)), range(len(FACTS)), strict=True))
    for page in range(200):
        filler = FILLER_JA * 4 if page % 2 else FILLER_EN * 4
        text = filler
        if page in fact_page:
            text = filler + "\n\n" + FACTS[fact_page[page]][0] + "\n\n" + filler
        pages.append((page + 1, text))
    passages = split_pages(pages, "corpus.pdf")
    texts = [p.text for p in passages]
    holders = [{n for n, t in enumerate(texts) if fact in t} for fact, _ in FACTS]
    return texts, holders


def quality() -> None:
    texts, holders = corpus()
    index = VectorIndex([embed(t) for t in texts])
    db = full_text_index(texts)
    found = {"embeddings alone": 0, "full text alone": 0, "fused (the app's way)": 0}
    for (_, question), holder in zip(FACTS, holders, strict=True):
        by_vector = [row for row, _ in index.top(embed(question), 20)]
        by_text = full_text_rank(db, question)
        found["embeddings alone"] += by_vector[0] in holder
        found["full text alone"] += bool(by_text) and by_text[0] in holder
        found["fused (the app's way)"] += fuse([by_vector, by_text])[0] in holder
    print(f"Top passage right, {len(FACTS)} questions over 200 pages ({len(texts)} passages):")
    for name, right in found.items():
        print(f"  {name:<22} {right} / {len(FACTS)}")


def speed() -> None:
    rng = np.random.default_rng(7)
    words = (FILLER_EN + FILLER_JA).split() + list(FILLER_JA)
    texts = [" ".join(rng.choice(words, 40)) for _ in range(PASSAGES)]
    small = VectorIndex(rng.standard_normal((PASSAGES, 256), dtype=np.float32))
    large = VectorIndex(rng.standard_normal((PASSAGES, 1_536), dtype=np.float32))
    db = full_text_index(texts)
    floats = [float(x) for x in rng.random(PASSAGES)]
    q_small, q_large = rng.standard_normal(256), rng.standard_normal(1_536)
    question = "経費精算の締め切りはいつですか quarterly figures"
    rows = [
        ("baseline: sorted() of 20,000 floats", timed(lambda: sorted(floats))),
        ("embeddings, 256 dimensions, top 20", timed(lambda: small.top(q_small, 20))),
        ("embeddings, 1,536 dimensions, top 20", timed(lambda: large.top(q_large, 20))),
        ("full text (FTS5 trigram), top 20", timed(lambda: full_text_rank(db, question))),
        ("both, 1,536 dimensions, fused", timed(lambda: fuse(
            [[r for r, _ in large.top(q_large, 20)], full_text_rank(db, question)]))),
    ]  # fmt: skip
    print(f"One question over {PASSAGES:,} passages, median of {RUNS} runs:")
    for name, ms in rows:
        print(f"  {name:<40} {ms:8.2f} ms")


if __name__ == "__main__":
    speed()
    quality()
