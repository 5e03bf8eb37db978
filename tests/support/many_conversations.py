"""An owner with thousands of conversations, written in a few statements (a ChatGPT
export of 2,000 is common): for the tests and the benchmark of the History page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from chat_core.storage.schema import conversations, messages
from chat_core.storage.store import ConversationStore

__all__ = ["add_conversations"]

_QUESTION = "How do I make ramen broth at home? 自宅でラーメンのスープを作るには? ({n})"
_ANSWER = (
    "Simmer pork bones for six hours, skimming the foam, then season with soy sauce. "
    "豚骨を六時間煮込み、アクを取り、醤油で味を調えます。 Answer number {n}."
)


def add_conversations(store: ConversationStore, owner: str, count: int) -> list[str]:
    """``count`` conversations of one question and its answer, the newest last; their
    ids, newest first (as the History page lists them)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ids = [str(uuid.uuid4()) for _ in range(count)]
    heads, rows = [], []
    for n, conversation_id in enumerate(ids):
        moment = start + timedelta(minutes=n)
        heads.append(
            {
                "id": conversation_id,
                "owner": owner,
                "title": f"Conversation {n}",
                "settings": {},
                "created_at": moment,
                "updated_at": moment,
                "current": 1,
            }
        )
        for position, (role, text) in enumerate((("user", _QUESTION), ("assistant", _ANSWER))):
            rows.append(
                {
                    "conversation_id": conversation_id,
                    "position": position,
                    "parent": position - 1 if position else None,
                    "role": role,
                    "content": text.format(n=n),
                    "status": "complete",
                    "created_at": moment,
                }
            )
    if not ids:
        return []
    with store.engine.begin() as connection:
        connection.execute(insert(conversations), heads)
        connection.execute(insert(messages), rows)
    return ids[::-1]
