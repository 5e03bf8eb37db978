"""Limits that protect the owner's key: every request is counted, before it is sent.

A request reserves its worst case (the prompt's tokens plus max tokens) in a ledger,
in the same step as the check, so visitors sending at once cannot all slip under a
limit; when the answer ends, however it ends (complete, stopped, failed, stalled),
the reservation is settled to what was really used. The database keeps the ledger
so limits hold across sessions, processes and restarts; a :class:`MemoryLedger`
keeps counting when the database fails.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from chat_core.conversation.messages import ChatMessage
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.settings.settings import Settings
from chat_core.usage.estimate import estimate_tokens
from chat_core.usage.tokens import Usage

__all__ = [
    "FallbackLedger",
    "LimitReached",
    "Limits",
    "MemoryLedger",
    "Request",
    "Reservation",
    "Settlement",
    "UsageLedger",
    "check",
    "refusal",
    "reserve",
    "spent",
]

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Limits:
    """The deployer's limits; 0 is no limit."""

    messages_per_minute: int = 0
    tokens_per_day: int = 0
    tokens_per_day_total: int = 0

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            settings.messages_per_minute, settings.tokens_per_day, settings.tokens_per_day_total
        )


@dataclass(frozen=True)
class Request:
    """One request about to be sent: who sends it, to which model, at most how many tokens."""

    identity: str
    model: str
    input_tokens: int  # estimated from the prompt
    max_tokens: int

    @property
    def worst_case(self) -> int:
        return self.input_tokens + self.max_tokens


@dataclass(frozen=True)
class LimitReached:
    # "messages_per_minute", "tokens_per_day" or "tokens_per_day_total" (settings' names),
    # or "answer_too_large": this request alone could pass what is left today.
    kind: str
    limit: int
    left: int = 0
    needed: int = 0


@dataclass(frozen=True)
class Reservation:
    """A request counted in a ledger, to be settled once its answer ends."""

    ledger_key: object
    request: Request


@dataclass(frozen=True)
class Counts:
    """What a ledger has counted: answers of one identity in the last minute, tokens of
    that identity and of everyone in the last day (reservations at their worst case)."""

    answers_last_minute: int
    tokens_last_day: int
    tokens_last_day_total: int


def check(limits: Limits, counts: Counts, request: Request) -> LimitReached | None:
    """The first limit ``request`` would pass, if any."""
    if limits.messages_per_minute and counts.answers_last_minute >= limits.messages_per_minute:
        return LimitReached("messages_per_minute", limits.messages_per_minute)
    for kind, limit, used in (
        ("tokens_per_day", limits.tokens_per_day, counts.tokens_last_day),
        ("tokens_per_day_total", limits.tokens_per_day_total, counts.tokens_last_day_total),
    ):
        if not limit:
            continue
        left = max(0, limit - used)
        if left <= 0:
            return LimitReached(kind, limit)
        if request.worst_case > left:
            return LimitReached(kind, limit, left=left, needed=request.worst_case)
    return None


class UsageLedger(Protocol):
    """Counts requests; ``reserve`` checks and counts in one step."""

    def reserve(
        self, request: Request, limits: Limits, now: datetime
    ) -> Reservation | LimitReached: ...

    def settle(self, reservation: Reservation, usage: Usage) -> None: ...


@dataclass
class _Entry:
    identity: str
    at: datetime
    tokens: int


@dataclass
class MemoryLedger:
    """A ledger in this process's memory: what counts while the database cannot."""

    _entries: list[_Entry] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reserve(
        self, request: Request, limits: Limits, now: datetime
    ) -> Reservation | LimitReached:
        with self._lock:
            self._entries = [e for e in self._entries if e.at >= now - DAY]
            counts = Counts(
                sum(
                    1
                    for e in self._entries
                    if e.identity == request.identity and e.at >= now - MINUTE
                ),
                sum(e.tokens for e in self._entries if e.identity == request.identity),
                sum(e.tokens for e in self._entries),
            )
            reached = check(limits, counts, request)
            if reached is not None:
                return reached
            entry = _Entry(request.identity, now, request.worst_case)
            self._entries.append(entry)
            return Reservation(entry, request)

    def settle(self, reservation: Reservation, usage: Usage) -> None:
        with self._lock:
            entry = reservation.ledger_key
            if isinstance(entry, _Entry):
                entry.tokens = usage.total


class FallbackLedger:
    """The database's ledger, and this process's memory whenever the database fails.

    Limits stay on when the database is read-only, locked or gone: the requests of
    that time are counted here instead.
    """

    def __init__(
        self,
        primary: UsageLedger | None,
        memory: MemoryLedger,
        *,
        failures: tuple[type[BaseException], ...],
        on_failure: Callable[[str], None] = lambda _: None,
    ) -> None:
        self._primary = primary
        self._memory = memory
        self._failures = failures
        self._on_failure = on_failure

    def reserve(
        self, request: Request, limits: Limits, now: datetime
    ) -> Reservation | LimitReached:
        if self._primary is not None:
            try:
                return self._primary.reserve(request, limits, now)
            except self._failures as exc:
                self._on_failure(f"reserve: {type(exc).__name__}")
        return self._memory.reserve(request, limits, now)

    def settle(self, reservation: Reservation, usage: Usage) -> None:
        if isinstance(reservation.ledger_key, _Entry):
            self._memory.settle(reservation, usage)
            return
        if self._primary is None:
            return
        try:
            self._primary.settle(reservation, usage)
        except self._failures as exc:
            self._on_failure(f"settle: {type(exc).__name__}")


class Settlement:
    """A reservation with the one call that settles it: whichever end comes first (the
    answer's end, or a refusal after it was counted) settles it, and only that one."""

    def __init__(self, ledger: UsageLedger, reservation: Reservation) -> None:
        self._ledger = ledger
        self.reservation = reservation
        self._lock = threading.Lock()
        self._settled = False

    @property
    def request(self) -> Request:
        return self.reservation.request

    def settle(self, usage: Usage) -> bool:
        """Count ``usage`` in place of the worst case; False if it was settled already."""
        with self._lock:
            if self._settled:
                return False
            self._settled = True
        self._ledger.settle(self.reservation, usage)
        return True

    def settle_unsent(self) -> bool:
        """Nothing was sent after all: the request counts, its tokens do not."""
        return self.settle(Usage(0, 0, self.request.model, estimated=True))


def reserve(
    ledger: UsageLedger, request: Request, limits: Limits, now: datetime
) -> Settlement | LimitReached:
    """Count ``request`` before it is sent, or say which limit it would pass."""
    outcome = ledger.reserve(request, limits, now)
    return outcome if isinstance(outcome, LimitReached) else Settlement(ledger, outcome)


def refusal(reached: LimitReached) -> UserFacingError:
    """The page's message for a limit this request would pass."""
    details = {"limit": f"{reached.limit:,}"}
    if reached.needed:
        details |= {"needed": f"{reached.needed:,}", "left": f"{reached.left:,}"}
        return UserFacingError(ErrorKind.TOKENS_LEFT, details)
    return UserFacingError(ErrorKind(reached.kind), details)


# Failures where the provider produced nothing: the request is counted, its tokens not.
_NOTHING_PRODUCED = frozenset(
    {
        ErrorKind.AUTH,
        ErrorKind.PERMISSION,
        ErrorKind.MODEL_NOT_FOUND,
        ErrorKind.CONTEXT_TOO_LONG,
        ErrorKind.RATE_LIMIT,
        ErrorKind.SERVER,
        ErrorKind.UNREACHABLE,
        ErrorKind.IMAGES_UNSUPPORTED,
    }
)


def spent(request: Request, answer: ChatMessage) -> Usage:
    """What a request cost, however its answer ended: the server's usage when it sent
    one; else the prompt's estimate plus the text received (a stopped, stalled or cut
    answer was still paid for); nothing for a request the provider refused outright."""
    if answer.usage is not None:
        return answer.usage
    if not answer.content and answer.error is not None and answer.error.kind in _NOTHING_PRODUCED:
        return Usage(0, 0, request.model, estimated=True)
    return Usage(
        request.input_tokens, estimate_tokens(answer.content), request.model, estimated=True
    )
