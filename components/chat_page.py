"""The chat page's parts that every run of it passes around.

They live here, not in pages/chat.py: Streamlit executes a page's file anew on every
run, and a dataclass defined there would be built again each time (dataclasses compile
their methods), a cost every visitor's every run paid under one GIL.
"""

from __future__ import annotations

from dataclasses import dataclass

from streamlit.delta_generator import DeltaGenerator

from chat_core.answers.jobs import JobRegistry
from chat_core.conversation.conversation import Conversation
from chat_core.settings.settings import Settings
from chat_core.storage.project_rows import Project
from components.context import PageContext
from components.user_servers import OwnServers

__all__ = ["BranchMarks", "ChatPage", "PageAreas"]


@dataclass(frozen=True)
class PageAreas:
    """The page's places, made at the top of every run in this order, so that a run
    can fill them in any order (the turn being answered first)."""

    stop: DeltaGenerator  # Stop, above the message box, on its right
    title: DeltaGenerator
    notices: DeltaGenerator
    branch: DeltaGenerator  # one container per turn (chat_view.branch_areas)


@dataclass(frozen=True)
class ChatPage:
    """What every case of a run draws from."""

    context: PageContext
    conversation: Conversation
    settings: Settings  # the configured ones with the sidebar's choices
    areas: PageAreas
    jobs: JobRegistry
    busy: bool  # an answer is asked for or followed in this run: the sidebar is greyed
    project: Project | None = None  # the project the conversation is in
    own_servers: OwnServers | None = None  # the visitor's own MCP servers, if allowed

    @property
    def project_instructions(self) -> str:
        return self.project.instructions if self.project is not None else ""


@dataclass(frozen=True)
class BranchMarks:
    """What each turn drawn needs to know of the whole branch."""

    sent_from: int  # where the messages sent with the next question begin
    divider: tuple[str, str]  # what the line there says, and why
    last_question: int | None
