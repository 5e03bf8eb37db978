"""Who may start one more answer: a share for each owner and for each network, within
the process's ceiling, and a refusal that names which of them is full."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from .errors import ErrorKind, UserFacingError

__all__ = ["JobLimits", "JobRefused"]

# What each refusal tells the visitor: their own answers, their network's, or the app's.
_ERRORS = {
    "conversation": ErrorKind.ANSWER_IN_PROGRESS,
    "owner": ErrorKind.TOO_MANY_ANSWERS,
    "network": ErrorKind.ANSWERS_FROM_NETWORK,
    "total": ErrorKind.ANSWERS_BUSY,
}


class _Counted(Protocol):
    owner: str
    network: str | None


@dataclass(frozen=True)
class JobRefused:
    """Why no job was started: this conversation has one already, or the owner, their
    network or the process has as many as it may."""

    kind: str  # "conversation", "owner", "network" or "total"
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
        self, running: Iterable[_Counted], *, owner: str, network: str | None
    ) -> JobRefused | None:
        """The limit one more answer for ``owner`` from ``network`` would pass, if any.

        The visitor's own limits come first: those are the ones they can act on.
        """
        running = list(running)
        if sum(job.owner == owner for job in running) >= self.per_owner:
            return JobRefused("owner", self.per_owner)
        counted = network is not None and self.per_network is not None
        if counted and sum(job.network == network for job in running) >= self.per_network:
            return JobRefused("network", self.per_network)
        if len(running) >= self.total:
            return JobRefused("total", self.total)
        return None
