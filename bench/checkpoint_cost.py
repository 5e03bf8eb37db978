"""What saving an answer while it streams costs, by how often it is saved.

A job saves the answer so far every CHECKPOINT_EVERY seconds, on the thread that reads
the model's stream: each save is one UPDATE of the whole text so far. This prints, for
one answer of 2000 tokens at 200 tokens/s (10 s, about 8,000 characters), the saves it
makes at each interval, their total time (each delays the stream while it runs), the
slowest one's and the CPU they cost the app's process (under its one GIL), on SQLite
and (with CHAT_TEST_DATABASE_URL) on PostgreSQL; and what a crash loses at most: the
text streamed since the last save.
Not a test: the figures depend on the machine's load.

    .venv/bin/python bench/checkpoint_cost.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chat_core.conversation.messages import ChatMessage, Status
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore

ANSWER_SECONDS = 10.0
ANSWER_CHARS = 8_000
TOKENS_PER_SECOND = 200
INTERVALS = (2.0, 1.0, 0.5, 0.25, 0.1)


def one_answer(store: ConversationStore, every: float) -> tuple[int, float, float, float]:
    """(saves, their total seconds, the slowest one's, their CPU seconds in this process)
    for one answer saved every ``every``."""
    owner = f"bench-{uuid.uuid4()}"
    cid = store.create(owner, title="bench", settings={})
    store.put_message(cid, owner, 0, ChatMessage.user("q"), parent=None)
    saves = int(ANSWER_SECONDS / every)
    times, cpu = [], time.process_time()
    for save in range(1, saves + 1):
        text = "x" * int(ANSWER_CHARS * save / saves)
        answer = ChatMessage.assistant(text, status=Status.STREAMING)
        started = time.perf_counter()
        store.put_message(cid, owner, 1, answer, parent=0, new=save == 1)
        times.append(time.perf_counter() - started)
    cpu = time.process_time() - cpu
    store.delete(cid, owner)
    return saves, sum(times), max(times), cpu


def report(name: str, store: ConversationStore) -> None:
    one_answer(store, 1.0)  # warm the pool
    print(f"{name}:")
    for every in INTERVALS:
        saves, total, slowest, cpu = one_answer(store, every)
        lost_words = every * TOKENS_PER_SECOND * 0.75
        print(
            f"  every {every:>4} s: {saves:>3} saves, {total * 1000:7.1f} ms in all "
            f"({total / ANSWER_SECONDS:.2%} of the stream's time), slowest "
            f"{slowest * 1000:5.1f} ms, CPU {cpu * 1000:5.1f} ms; a crash loses at most {every} s "
            f"(~{lost_words:.0f} words at {TOKENS_PER_SECOND} tok/s)"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        report("SQLite", ConversationStore(sqlite_url(Path(folder))))
    if url := os.environ.get("CHAT_TEST_DATABASE_URL"):
        report("PostgreSQL", ConversationStore(url))


if __name__ == "__main__":
    main()
