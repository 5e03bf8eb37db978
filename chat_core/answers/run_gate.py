"""Which page runs of one process compute at a time: first words first.

Every page run of a Streamlit process shares one GIL with the server's event loop,
the one thread that hands every run's drawing to its browser. When many runs compute
at once, that loop gets the GIL about once in as many turns, and what the runs draw
waits in its queue: measured with 10 visitors asking at once, a bubble's first words
reached the loop a second after the run drew them, together with the last (bench/
crowd.py; the note of issue 25 has the trace). A run that waits here blocks on a
condition, off the GIL, so the loop and the runs that compute get it.

Runs queue for a turn. An urgent one (up to the request for an answer, drawing what
is followed) goes before every waiting run that is not; one that is not (the rest of
a page) waits for the urgent ones at most ``patience`` seconds, so it is never starved.
A run leaves its turn before anything that waits on the network or the clock.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["GateTurn", "RunGate"]


@dataclass(frozen=True)
class _Waiter:
    urgent: bool
    deadline: float  # after it, a run that is not urgent counts as urgent
    granted: threading.Event


class RunGate:
    """At most ``permits`` turns at once; waiting runs enter urgent ones first, each kind
    in the order they came (one that is not urgent counts as urgent once its patience
    is over). A freed turn is handed to the one run that goes next, which alone wakes:
    waking every waiting run would make them all want the GIL again."""

    def __init__(
        self,
        permits: int = 1,
        *,
        patience: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._free = permits
        self._waiting: dict[int, _Waiter] = {}  # by ticket: the order they came in
        self._tickets = itertools.count()
        self._patience = patience
        self._clock = clock

    def enter(self, *, urgent: bool) -> GateTurn:
        """Wait for a turn and take it."""
        waiter = _Waiter(urgent, self._clock() + self._patience, threading.Event())
        with self._lock:
            self._waiting[next(self._tickets)] = waiter
            self._hand_out()
        waiter.granted.wait()
        return GateTurn(self._leave)

    def urgent_waiting(self) -> int:
        with self._lock:
            return sum(waiter.urgent for waiter in self._waiting.values())

    def _hand_out(self) -> None:
        """Free turns to the runs that go next (called holding the lock)."""
        while self._free > 0 and self._waiting:
            now = self._clock()
            ticket = min(
                self._waiting,
                key=lambda t: (not _counts_urgent(self._waiting[t], now), t),
            )
            self._free -= 1
            self._waiting.pop(ticket).granted.set()

    def _leave(self) -> None:
        with self._lock:
            self._free += 1
            self._hand_out()


def _counts_urgent(waiter: _Waiter, now: float) -> bool:
    return waiter.urgent or now >= waiter.deadline


class GateTurn:
    """One run's turn; leaving twice leaves once."""

    def __init__(self, leave: Callable[[], None]) -> None:
        self._leave = leave
        self._left = False

    def leave(self) -> None:
        if not self._left:
            self._left = True
            self._leave()
