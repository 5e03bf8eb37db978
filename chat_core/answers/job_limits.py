"""Who may start one more answer: a share for each owner and for each network, within
the process's ceiling, and a refusal that names which of them is full."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from chat_core.errors import ErrorKind, UserFacingError

__all__ = ["JobLimits", "JobRefusal", "JobRefused"]


class JobRefusal(StrEnum):
    """Which limit one more answer would pass."""

    CONVERSATION = "conversation"  # this conversation has an answer being written
    OWNER = "owner"  # the visitor (or the history's owner) has as many as they may
    NETWORK = "network"  # so has their network
    TOTAL = "total"  # so has the process


# What each refusal tells the visitor: their own answers, their network's, or the app's.
_ERRORS = {
    JobRefusal.CONVERSATION: ErrorKind.ANSWER_IN_PROGRESS,
    JobRefusal.OWNER: ErrorKind.TOO_MANY_ANSWERS,
    JobRefusal.NETWORK: ErrorKind.ANSWERS_FROM_NETWORK,
    JobRefusal.TOTAL: ErrorKind.ANSWERS_BUSY,
}


class _Counted(Protocol):
    belongs_to: str
    network: str | None


@dataclass(frozen=True)
class JobRefused:
    """Why no job was started: this conversation has one already, or the owner, their
    network or the process has as many as it may."""

    kind: JobRefusal
    limit: int

    def error(self) -> UserFacingError:
        return UserFacingError(_ERRORS[self.kind], {"limit": str(self.limit)})


@dataclass(frozen=True)
class JobLimits:
    """Answers written at once: per owner, per network (a client address or an IPv6 /64,
    so one address cannot fill the process with many tabs), and in all."""

    per_owner: int = 2
    per_network: int | None = None  # None: networks are not counted
    total: int = 64

    def refusal(
        self, running: Iterable[_Counted], *, belongs_to: str, network: str | None
    ) -> JobRefused | None:
        """The limit one more answer for ``belongs_to`` from ``network`` would pass, if any.

        The visitor's own limits come first: those are the ones they can act on.
        """
        running = list(running)
        if sum(job.belongs_to == belongs_to for job in running) >= self.per_owner:
            return JobRefused(JobRefusal.OWNER, self.per_owner)
        counted = network is not None and self.per_network is not None
        if counted and sum(job.network == network for job in running) >= self.per_network:
            return JobRefused(JobRefusal.NETWORK, self.per_network)
        if len(running) >= self.total:
            return JobRefused(JobRefusal.TOTAL, self.total)
        return None
