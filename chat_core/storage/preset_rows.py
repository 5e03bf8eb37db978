"""An owner's presets in the store. Every function is scoped by owner: none returns,
changes or deletes another owner's preset, whatever id it is given."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from chat_core.settings.presets import Preset
from chat_core.storage.message_rows import now
from chat_core.storage.schema import presets

__all__ = ["list_presets", "remove_preset", "store_preset"]

log = logging.getLogger(__name__)


def _owned(preset_id: str, owner: str):
    return (presets.c.id == preset_id) & (presets.c.owner == owner)


def list_presets(engine: Engine, owner: str) -> list[Preset]:
    """The owner's presets, oldest first; a row that no longer passes the checks (the
    bounds changed since it was saved) is left out rather than applied."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(presets)
            .where(presets.c.owner == owner)
            .order_by(presets.c.created_at, presets.c.id)
        ).all()
    found = []
    for row in rows:
        try:
            found.append(Preset(row.name, row.system_prompt, dict(row.settings or {}), id=row.id))
        except ValueError as exc:
            log.warning("a stored preset is left out: %s", exc)
    return found


def store_preset(engine: Engine, owner: str, preset: Preset) -> str:
    """Store ``preset`` as the owner's: over the one with its id, else as a new one (an
    id the owner does not have is never reused). Returns the id it is stored under."""
    values = {
        "name": preset.name,
        "system_prompt": preset.system_prompt,
        "settings": dict(preset.settings),
        "updated_at": now(),
    }
    with engine.begin() as connection:
        if preset.id is not None:
            changed = connection.execute(
                update(presets).where(_owned(preset.id, owner)).values(**values)
            )
            if changed.rowcount == 1:
                return preset.id
        preset_id = str(uuid.uuid4())
        connection.execute(
            insert(presets).values(
                id=preset_id, owner=owner, created_at=values["updated_at"], **values
            )
        )
    return preset_id


def remove_preset(engine: Engine, owner: str, preset_id: str) -> bool:
    """Whether the owner had that preset (it is gone now)."""
    with engine.begin() as connection:
        return connection.execute(delete(presets).where(_owned(preset_id, owner))).rowcount == 1
