"""What one run of the chat page does, decided before it draws anything."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from chat_core.answers.jobs import AnswerJob, JobRegistry
from chat_core.conversation.conversation import Conversation
from chat_core.conversation.messages import ChatMessage
from components import state
from components.addresses import written_elsewhere
from components.answers import job_belongs_to, job_watcher
from components.context import PageContext

__all__ = ["Asked", "ChatCase", "decide_case", "followed_job"]


class ChatCase(Enum):
    FOLLOW = "follow"  # a job of this process writes the answer: follow it
    WRITTEN_ELSEWHERE = "written_elsewhere"  # another process writes it: wait for it
    IDLE = "idle"  # nothing to answer: the whole page
    ANSWER = "answer"  # a question waits, or a button asked again: answer it


@dataclass(frozen=True)
class Asked:
    """What this run is asked to answer: the first waiting ``question``, or (``again``)
    the question a button (Retry, Regenerate, Edit) left at the branch's end."""

    question: ChatMessage | None = None
    again: bool = False

    @classmethod
    def take(cls, conversation_key: str) -> Asked:
        """Take (once) what waits in that conversation: a question first, else a button's ask."""
        question = state.take_question(conversation_key)
        return cls(question, again=question is None and state.take_ask_again())

    @property
    def anything(self) -> bool:
        return self.question is not None or self.again


def decide_case(
    job: AnswerJob | None, conversation: Conversation, waiting: Callable[[], Asked]
) -> tuple[ChatCase, Asked]:
    """An answer followed here goes first, then one another process writes, then what was
    asked. What waits (``waiting()`` takes it) is taken only by a run that answers it: a
    message typed while an answer is written stays queued until that answer is in."""
    if job is not None:
        return ChatCase.FOLLOW, Asked()
    if written_elsewhere(conversation):
        return ChatCase.WRITTEN_ELSEWHERE, Asked()
    asked = waiting()
    return (ChatCase.ANSWER if asked.anything else ChatCase.IDLE), asked


def followed_job(
    context: PageContext, conversation: Conversation, jobs: JobRegistry
) -> AnswerJob | None:
    """The job writing this conversation's answer that the page is still to take, if any."""
    job = jobs.get(conversation.key, job_belongs_to(context), watcher=job_watcher(context))
    if job is not None and not conversation.awaits(job.number, job.question):
        return None  # its answer is on the page already, or the conversation moved on
    if job is not None and job.ended is not None and conversation.loaded_since(job.ended_at):
        return None  # it ended before the page read the conversation: nothing to take from it
    return job
