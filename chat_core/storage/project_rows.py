"""An owner's projects in the store: conversations grouped under a name with
instructions (and settings) of their own. Every function is scoped by owner: none
lists, changes or deletes another owner's project, nor moves another owner's chat.

Deleting a project never deletes a chat: its chats move out of it first, in the same
transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from chat_core.storage.message_rows import aware, now, settings_from
from chat_core.storage.schema import conversations, projects

__all__ = [
    "INSTRUCTIONS_CHARS",
    "MAX_PROJECTS",
    "NAME_CHARS",
    "Project",
    "ProjectRefusedError",
    "create_project",
    "delete_project",
    "list_projects",
    "load_project",
    "move_conversation",
    "owns_project",
    "update_project",
]

MAX_PROJECTS = 100  # of one owner
NAME_CHARS = 80
INSTRUCTIONS_CHARS = 8_000


class ProjectRefusedError(ValueError):
    """Why a project cannot be made or changed: ``reason`` is a locale key's end."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    instructions: str = ""
    settings: dict[str, Any] = field(default_factory=dict)  # the default for its new chats
    created_at: datetime | None = None
    updated_at: datetime | None = None
    chats: int = 0  # conversations in it


def checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ProjectRefusedError("name_empty")
    if len(name) > NAME_CHARS:
        raise ProjectRefusedError("name_long")
    return name


def checked_instructions(instructions: str) -> str:
    if len(instructions) > INSTRUCTIONS_CHARS:
        raise ProjectRefusedError("instructions_long")
    return instructions.strip()


def _owned(project_id: str, owner: str):
    return (projects.c.id == project_id) & (projects.c.owner == owner)


def owns_project(connection: Connection, owner: str, project_id: str) -> bool:
    found = connection.execute(select(projects.c.id).where(_owned(project_id, owner)))
    return found.first() is not None


def _project(row, chats: int = 0) -> Project:
    return Project(row.id, row.name, row.instructions, settings_from(row.settings),
                   aware(row.created_at), aware(row.updated_at), chats)  # fmt: skip


def list_projects(engine: Engine, owner: str) -> list[Project]:
    """The owner's projects, the one changed last first, each with its count of chats."""
    chats = (
        select(func.count())
        .where((conversations.c.project_id == projects.c.id) & (conversations.c.owner == owner))
        .scalar_subquery()
    )
    query = (
        select(projects, chats.label("chats"))
        .where(projects.c.owner == owner)
        .order_by(projects.c.updated_at.desc(), projects.c.id)
    )
    with engine.connect() as connection:
        return [_project(row, row.chats) for row in connection.execute(query)]


def load_project(engine: Engine, owner: str, project_id: str) -> Project | None:
    with engine.connect() as connection:
        row = connection.execute(select(projects).where(_owned(project_id, owner))).first()
    return None if row is None else _project(row)


def create_project(engine: Engine, owner: str, name: str, instructions: str = "") -> str:
    """The new project's id (raises ProjectRefusedError past the bounds)."""
    name, instructions = checked_name(name), checked_instructions(instructions)
    with engine.begin() as connection:
        count = connection.execute(
            select(func.count()).select_from(projects).where(projects.c.owner == owner)
        ).scalar_one()
        if count >= MAX_PROJECTS:
            raise ProjectRefusedError("too_many")
        project_id, moment = str(uuid.uuid4()), now()
        connection.execute(
            insert(projects).values(
                id=project_id,
                owner=owner,
                name=name,
                instructions=instructions,
                settings={},
                created_at=moment,
                updated_at=moment,
            )
        )
    return project_id


def update_project(
    engine: Engine,
    owner: str,
    project_id: str,
    *,
    name: str | None = None,
    instructions: str | None = None,
    settings: dict[str, Any] | None = None,
) -> bool:
    """Whether the owner has that project (it is changed now)."""
    values: dict[str, Any] = {"updated_at": now()}
    if name is not None:
        values["name"] = checked_name(name)
    if instructions is not None:
        values["instructions"] = checked_instructions(instructions)
    if settings is not None:
        values["settings"] = dict(settings)
    with engine.begin() as connection:
        changed = connection.execute(
            update(projects).where(_owned(project_id, owner)).values(**values)
        )
    return changed.rowcount == 1


def delete_project(engine: Engine, owner: str, project_id: str) -> int | None:
    """How many chats moved out of the project before it went; None: not the owner's."""
    with engine.begin() as connection:
        if (
            connection.execute(select(projects.c.id).where(_owned(project_id, owner))).first()
            is None
        ):
            return None
        moved = connection.execute(
            update(conversations)
            .where((conversations.c.owner == owner) & (conversations.c.project_id == project_id))
            .values(project_id=None)
        ).rowcount
        connection.execute(delete(projects).where(_owned(project_id, owner)))
    return moved


def move_conversation(
    engine: Engine, owner: str, conversation_id: str, project_id: str | None
) -> bool:
    """Put the owner's conversation in the owner's project (None: out of any); whether
    both are the owner's."""
    with engine.begin() as connection:
        if project_id is not None:
            if not owns_project(connection, owner, project_id):
                return False
            connection.execute(
                update(projects).where(_owned(project_id, owner)).values(updated_at=now())
            )
        moved = connection.execute(
            update(conversations)
            .where((conversations.c.id == conversation_id) & (conversations.c.owner == owner))
            .values(project_id=project_id)
        )
    return moved.rowcount == 1
