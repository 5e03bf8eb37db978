"""The shared store, and each owner's guarded view of it: nothing a page does with the
database raises; every failure is logged and reported to the page instead."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from chat_core.answers.run import CHECKPOINT_EVERY
from chat_core.conversation.imported import ImportedConversation
from chat_core.conversation.messages import ChatMessage
from chat_core.redact import redact
from chat_core.settings.presets import Preset
from chat_core.settings.settings import Settings, stored_settings
from chat_core.storage import owner_choices, project_rows, shares, user_server_rows
from chat_core.storage.listing import ConversationSummary
from chat_core.storage.project_rows import Project
from chat_core.storage.search import HistoryPage
from chat_core.storage.secret_box import SecretBox
from chat_core.storage.store import ConversationStore, MissingMessageError, StoredConversation
from chat_core.storage.user_server_rows import StoredServer
from chat_core.transfer.share_snapshot import new_token, snapshot
from chat_core.web.user_servers import UserServer

__all__ = [
    "STORAGE_ERRORS",
    "OwnerHistory",
    "database_lost",
    "guarded",
    "open_store",
]

log = logging.getLogger(__name__)

STORAGE_ERRORS = (SQLAlchemyError, OSError, PermissionError, MissingMessageError)
# An answer whose conversation was saved this recently is still being written (its job
# saves every CHECKPOINT_EVERY seconds while the model sends, perhaps in another process,
# and a model may pause for seconds); older, it was cut off.
STILL_WRITING = max(8.0, 4 * CHECKPOINT_EVERY)
T = TypeVar("T")


def guarded(action: str, work: Callable[[], T]) -> T | None:
    """``work()``, or None when the database fails (logged, with no secret in the log)."""
    try:
        return work()
    except STORAGE_ERRORS as exc:
        log.warning("could not %s: %s", action, type(exc).__name__)
        return None


@st.cache_resource(show_spinner=False)
def _open(url: str) -> ConversationStore:
    """One store (a connection pool) per database, shared by all sessions."""
    return ConversationStore(url)


def open_store(settings: Settings) -> ConversationStore | None:
    """The shared store, or None when it cannot be used (the page then says so)."""
    url = settings.database_url
    try:
        store = _open(url)
    except STORAGE_ERRORS as exc:
        log.warning("conversation store unavailable: %s", redact(str(exc), [url]))
        return None
    if store.lost():
        log.error("the SQLite database file was removed while the app ran: nothing is saved")
        return None
    return store


def database_lost(settings: Settings) -> bool:
    """Whether the SQLite file this process opened has been removed since."""
    return bool(guarded("check the database file", lambda: _open(settings.database_url).lost()))


@dataclass(frozen=True)
class OwnerHistory:
    """One owner's conversations in the store; a failed call returns None or False."""

    store: ConversationStore
    owner: str

    # What a conversation saves through (chat_core.conversation.conversation.Saver).

    def start(self, title: str, settings: Settings, project_id: str | None = None) -> str | None:
        values = stored_settings(settings)
        return guarded(
            "create a conversation",
            lambda: self.store.create(
                self.owner, title=title, settings=values, project_id=project_id
            ),
        )

    def put(
        self,
        conversation_id: str,
        number: int,
        parent: int | None,
        message: ChatMessage,
        *,
        new: bool = False,
    ) -> int | None:
        """The number the message was stored as, or None."""
        store, owner = self.store, self.owner
        return guarded(
            "save a message",
            lambda: store.put_message(
                conversation_id, owner, number, message, parent=parent, new=new
            ),
        )

    def remove(self, conversation_id: str, number: int) -> bool:
        work = lambda: self.store.remove_message(conversation_id, self.owner, number)  # noqa: E731
        return self._done("remove a message", work)

    def select(self, conversation_id: str, number: int) -> bool:
        work = lambda: self.store.select(conversation_id, self.owner, number)  # noqa: E731
        return self._done("choose a version", work)

    def save_settings(self, conversation_id: str, settings: Settings) -> bool:
        values = stored_settings(settings)
        work = lambda: self.store.save_settings(conversation_id, self.owner, values)  # noqa: E731
        return self._done("save settings", work)

    # What the History page does.

    def page(self, search: str, offset: int, limit: int) -> HistoryPage | None:
        """One page of the conversations matching ``search``, from ``offset`` on."""
        work = lambda: self.store.page(self.owner, search=search, offset=offset, limit=limit)  # noqa: E731
        return guarded("list conversations", work)

    def recent(self, limit: int) -> list[ConversationSummary] | None:
        """The newest ``limit`` conversations and every pinned one, without counts."""
        work = lambda: self.store.list(self.owner, limit=limit, counted=False)  # noqa: E731
        return guarded("list recent conversations", work)

    # The owner's projects (a chat in one is listed there, and among the recent ones).

    def projects(self) -> list[Project] | None:
        return guarded("list projects", lambda: project_rows.list_projects(self.store.engine,
                                                                           self.owner))  # fmt: skip

    def project(self, project_id: str) -> Project | None:
        work = lambda: project_rows.load_project(self.store.engine, self.owner, project_id)  # noqa: E731
        return guarded("read a project", work)

    def project_chats(self, project_id: str) -> list[ConversationSummary] | None:
        work = lambda: self.store.list(self.owner, counted=False, project=project_id)  # noqa: E731
        return guarded("list a project's chats", work)

    def create_project(self, name: str) -> str | None:
        """The new project's id, or None (ProjectRefusedError says why a name is refused)."""
        work = lambda: project_rows.create_project(self.store.engine, self.owner, name)  # noqa: E731
        return guarded("create a project", work)

    def update_project(self, project_id: str, **changes: Any) -> bool:
        work = lambda: project_rows.update_project(  # noqa: E731
            self.store.engine, self.owner, project_id, **changes)  # fmt: skip
        return guarded("change a project", work) is True

    def delete_project(self, project_id: str) -> int | None:
        """How many chats moved out of it; None when it could not be deleted."""
        work = lambda: project_rows.delete_project(self.store.engine, self.owner, project_id)  # noqa: E731
        return guarded("delete a project", work)

    def move(self, conversation_id: str, project_id: str | None) -> bool:
        work = lambda: project_rows.move_conversation(  # noqa: E731
            self.store.engine, self.owner, conversation_id, project_id)  # fmt: skip
        return guarded("move a conversation", work) is True

    def load(self, conversation_id: str) -> StoredConversation | None:
        """The conversation; an answer saved in the last seconds is still being written."""
        return guarded(
            "open a conversation",
            lambda: self.store.load(conversation_id, self.owner, writing_within=STILL_WRITING),
        )

    def rename(self, conversation_id: str, title: str, *, only_if: str | None = None) -> bool:
        """Renamed (False: it failed, or ``only_if`` was no longer its title)."""
        work = lambda: self.store.rename(conversation_id, self.owner, title, only_if=only_if)  # noqa: E731
        return guarded("rename a conversation", work) is True

    def title(self, conversation_id: str) -> str | None:
        return guarded("read a title", lambda: self.store.title(conversation_id, self.owner))

    def pin(self, conversation_id: str, pinned: bool) -> bool:
        work = lambda: self.store.pin(conversation_id, self.owner, pinned)  # noqa: E731
        return self._done("pin a conversation", work)

    def import_conversation(self, imported: ImportedConversation) -> tuple[bool, str | None]:
        """(False: the database failed; else True and the new id, None when the owner
        has this conversation already)."""
        work = lambda: self.store.import_conversation(self.owner, imported)  # noqa: E731
        try:
            return True, work()
        except STORAGE_ERRORS as exc:
            log.warning("could not import a conversation: %s", type(exc).__name__)
            return False, None

    # Shared links.

    def share(self, stored: StoredConversation, *, include_files: bool) -> str | None:
        """A new link to a snapshot of ``stored``'s branch on screen: its token, or None
        (the database failed). Raises SnapshotTooLarge."""
        token = new_token()
        shot = snapshot(stored.messages, include_files=include_files)
        work = lambda: shares.create_share(  # noqa: E731
            self.store.engine,
            self.owner,
            token=token,
            conversation_id=stored.id,
            title=stored.title,
            snapshot=shot,
            with_files=include_files,
        )
        return token if self._done("share a conversation", work) else None

    def links(self, conversation_id: str | None = None) -> list[shares.SharedLink] | None:
        work = lambda: shares.list_shares(self.store.engine, self.owner, conversation_id)  # noqa: E731
        return guarded("list shared links", work)

    def revoke(self, token: str) -> bool:
        work = lambda: shares.revoke_share(self.store.engine, self.owner, token)  # noqa: E731
        return guarded("revoke a shared link", work) is True

    def delete(self, conversation_id: str) -> bool:
        work = lambda: self.store.delete(conversation_id, self.owner)  # noqa: E731
        return self._done("delete a conversation", work)

    # The owner's presets.

    def presets(self) -> list[Preset] | None:
        return guarded("list presets", lambda: self.store.presets(self.owner))

    def save_preset(self, preset: Preset) -> str | None:
        """The id it is saved under, or None."""
        return guarded("save a preset", lambda: self.store.save_preset(self.owner, preset))

    def delete_preset(self, preset_id: str) -> bool:
        work = lambda: self.store.delete_preset(self.owner, preset_id)  # noqa: E731
        return self._done("delete a preset", work)

    # The owner's own MCP servers (their headers sealed by ``box``).

    def user_servers(self, box: SecretBox) -> list[StoredServer] | None:
        work = lambda: user_server_rows.list_user_servers(self.store.engine, self.owner, box)  # noqa: E731
        return guarded("list MCP servers", work)

    def add_user_server(self, box: SecretBox, server: UserServer) -> str | None:
        """The id it is stored under; None when it could not be (or the owner has enough)."""
        work = lambda: user_server_rows.add_user_server(  # noqa: E731
            self.store.engine, self.owner, box, name=server.name, url=server.url,
            header_name=server.header_name, header_value=server.header_value)  # fmt: skip
        return guarded("add an MCP server", work)

    def remove_user_server(self, server_id: str) -> bool:
        work = lambda: user_server_rows.remove_user_server(  # noqa: E731
            self.store.engine, self.owner, server_id)  # fmt: skip
        return self._done("remove an MCP server", work)

    @staticmethod
    def _done(action: str, work: Callable[[], object]) -> bool:
        return guarded(action, lambda: work() or True) is True

    # What the owner chose for all their chats (their model).

    def choices(self) -> dict[str, Any]:
        """The owner's choices; none when the database fails."""
        work = lambda: owner_choices.load_choices(self.store.engine, self.owner)  # noqa: E731
        return guarded("read the owner's choices", work) or {}

    def remember(self, name: str, value: Any) -> bool:
        """Keep the owner's choice for ``name`` (None: forget it)."""
        work = lambda: owner_choices.save_choice(self.store.engine, self.owner, name, value)  # noqa: E731
        return guarded("keep the owner's choice", work) is True
