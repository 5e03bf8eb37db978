"""Children drawn into a place that keeps its element count from run to run."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

__all__ = ["draw_padded"]


def draw_padded(children: Sequence[Callable[[], None]], *, to: int) -> None:
    """Draw ``children`` in order, then empty elements up to ``to`` in all: an element
    a run does not draw again would linger, faded, until the run ends."""
    for draw in children:
        draw()
    for _ in range(len(children), to):
        st.empty()
