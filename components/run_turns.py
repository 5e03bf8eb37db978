"""A page run's turn at the process's CPU (chat_core/answers/run_gate.py).

A run is one thread: the turn it holds is kept for that thread, so the page's parts
change it without passing it along. ``run_begins`` makes sure it is left however the
run ends (a rerun, a stop, an error); the entry file and the chat page both open it,
since Streamlit sometimes runs a page without the entry file (components/context.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from chat_core.answers.run_gate import GateTurn, RunGate

__all__ = ["deferred", "leave_turn", "run_begins", "take_turn"]

_held = threading.local()  # the run on this thread: its turn, how deep in run_begins


@st.cache_resource(show_spinner=False)
def _gate() -> RunGate:
    """One gate for the process's runs (every session's: that is its point)."""
    return RunGate()


def take_turn(*, urgent: bool) -> None:
    """Leave the turn this run holds, if any, and wait for a new one."""
    leave_turn()
    _held.turn = _gate().enter(urgent=urgent)


def leave_turn() -> None:
    """Before the run waits on anything (the model, the clock, another process)."""
    turn: GateTurn | None = getattr(_held, "turn", None)
    if turn is not None:
        _held.turn = None
        turn.leave()


@contextmanager
def run_begins() -> Iterator[None]:
    """A run's whole life: urgent until the page says otherwise, left at its end (the
    outermost of nested ones takes and leaves it)."""
    depth = getattr(_held, "depth", 0)
    _held.depth = depth + 1
    try:
        if depth == 0:
            take_turn(urgent=True)
        yield
    finally:
        _held.depth = depth
        if depth == 0:
            leave_turn()


@contextmanager
def deferred() -> Iterator[None]:
    """A part of the page that may wait for other runs' first words."""
    take_turn(urgent=False)
    try:
        yield
    finally:
        leave_turn()
