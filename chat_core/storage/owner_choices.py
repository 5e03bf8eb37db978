"""What an owner chose for all their chats (their model), kept beyond one browser tab.

One row per owner; every function is scoped by owner. Only the names in
:data:`REMEMBERED` are kept, each checked as a preset's model is, on the way in and out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from chat_core.markdown.visitor_text import one_line
from chat_core.storage.message_rows import now
from chat_core.storage.schema import owner_choices

__all__ = ["REMEMBERED", "load_choices", "save_choice"]

REMEMBERED = ("model",)
_NAME_CHARS = 200  # a model's name, as the usage log's model column


def _valid(name: str, value: Any) -> bool:
    return (
        name in REMEMBERED
        and isinstance(value, str)
        and 0 < len(value) <= _NAME_CHARS
        and one_line(value) == value
    )


def load_choices(engine: Engine, owner: str) -> dict[str, Any]:
    """The owner's choices; any that no longer passes the checks is left out."""
    query = select(owner_choices.c.choices).where(owner_choices.c.owner == owner)
    with engine.connect() as connection:
        stored = connection.execute(query).scalar_one_or_none() or {}
    return {name: value for name, value in stored.items() if _valid(name, value)}


def save_choice(engine: Engine, owner: str, name: str, value: Any) -> bool:
    """Keep ``value`` as the owner's choice for ``name`` (None: forget it). False when it
    is not one that may be kept (not stored)."""
    if value is not None and not _valid(name, value):
        return False
    for _ in range(2):  # two tabs may insert the owner's first row at once: then update
        try:
            with engine.begin() as connection:
                _write(connection, owner, name, value)
            return True
        except IntegrityError:
            continue
    return False


def _write(connection, owner: str, name: str, value: Any) -> None:
    row = owner_choices.c.owner == owner
    stored = connection.execute(select(owner_choices.c.choices).where(row)).scalar_one_or_none()
    choices = {**(stored or {}), name: value}
    if value is None:
        choices.pop(name)
    values = {"choices": choices, "updated_at": now()}
    if stored is None:
        connection.execute(insert(owner_choices).values(owner=owner, **values))
    else:
        connection.execute(update(owner_choices).where(row).values(**values))
