"""An answer's tool calls in its bubble: live while they run, folded once they ended.

A step is a status block: "Running get_current_time (timezone: Asia/Tokyo)…" while it
runs, then its name and duration, its arguments and result inside (as text in a code
block: a tool's output is never Markdown or HTML to this page). One that asks first
shows Run and Skip with its arguments.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st

from chat_core.conversation.tool_steps import StepStatus, ToolStep, arguments_line
from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import escape_markdown

__all__ = ["StepView", "render_step", "step_label"]

_STATES = {
    StepStatus.WAITING: "running",
    StepStatus.RUNNING: "running",
    StepStatus.DONE: "complete",
    StepStatus.FAILED: "error",
    StepStatus.SKIPPED: "error",
}


def step_label(step: ToolStep, t: Translator) -> str:
    """The block's one line, escaped (a name and arguments come from the model)."""
    name = escape_markdown(step.name)
    arguments = escape_markdown(arguments_line(step))
    seconds = f"{step.seconds:.1f}" if step.seconds is not None else ""
    match step.status:
        case StepStatus.WAITING:
            return t("tools.step_waiting", name=name, arguments=arguments)
        case StepStatus.RUNNING:
            return t("tools.step_running", name=name, arguments=arguments)
        case StepStatus.DONE:
            return t("tools.step_done", name=name, seconds=seconds or "0.0")
        case StepStatus.FAILED:
            return t("tools.step_failed", name=name)
        case _:
            return t("tools.step_skipped", name=name)


def render_step(
    step: ToolStep, t: Translator, *, decide: Callable[[str, bool], None] | None = None
) -> None:
    """One step where the page is drawing; ``decide(call_id, run)`` for Run and Skip."""
    waiting = step.status is StepStatus.WAITING
    with st.status(step_label(step, t), state=_STATES[step.status], expanded=waiting):
        if step.server:
            st.caption(t("tools.from_server", server=escape_markdown(step.server)))
        _arguments(step, t)
        if waiting and decide is not None:
            _run_or_skip(step, t, decide)
        elif step.status is StepStatus.DONE:
            st.caption(t("tools.result"))
            st.code(step.result or t("tools.no_output"), language="text", wrap_lines=True)
            if step.cut:
                st.caption(t("tools.result_cut"))
        elif step.error:
            st.caption(t("tools.why", why=escape_markdown(step.error)))


def _arguments(step: ToolStep, t: Translator) -> None:
    if step.arguments:
        shown = json.dumps(dict(step.arguments), ensure_ascii=False, indent=2, default=str)
        st.code(shown, language="json", wrap_lines=True)
    elif step.raw_arguments:
        st.code(step.raw_arguments, language="text", wrap_lines=True)


def _run_or_skip(step: ToolStep, t: Translator, decide: Callable[[str, bool], None]) -> None:
    st.caption(t("tools.asks_first"))
    with st.container(horizontal=True, gap="small"):
        key = f"tool_decision_{step.round}_{step.call_id}"
        st.button(
            t("tools.run"),
            key=f"{key}_run",
            type="primary",
            icon=":material/play_arrow:",
            on_click=decide,
            args=(step.call_id, True),
        )
        st.button(t("tools.skip"), key=f"{key}_skip", icon=":material/block:",
                  on_click=decide, args=(step.call_id, False))  # fmt: skip


class StepView:
    """One step in a live bubble: redrawn in its place each time it changes."""

    def __init__(self, t: Translator, decide: Callable[[str, bool], None]) -> None:
        self._t = t
        self._decide = decide
        self._slot = st.empty()
        self._drawn_waiting = False

    def show(self, step: ToolStep) -> None:
        # A step's Run and Skip are drawn once per run (widget keys are unique in a run).
        decide = None if self._drawn_waiting else self._decide
        self._drawn_waiting |= step.status is StepStatus.WAITING
        with self._slot.container():
            render_step(step, self._t, decide=decide)
