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
from streamlit.delta_generator import DeltaGenerator

from chat_core.conversation.tool_steps import (
    StepStatus,
    ToolStep,
    answer_sources,
    arguments_line,
)
from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import escape_markdown
from chat_core.web.source_list import sources_markdown

__all__ = ["StepView", "render_sources", "render_step", "step_label"]

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
    bare = "" if arguments else "_bare"  # no empty brackets for a call without arguments
    match step.status:
        case StepStatus.WAITING:
            return t(f"tools.step_waiting{bare}", name=name, arguments=arguments)
        case StepStatus.RUNNING:
            return t(f"tools.step_running{bare}", name=name, arguments=arguments)
        case StepStatus.DONE:
            return t("tools.step_done", name=name, seconds=seconds or "0.0")
        case StepStatus.FAILED:
            return t("tools.step_failed", name=name)
        case _:
            return t("tools.step_skipped", name=name)


def render_step(
    step: ToolStep, t: Translator, *, decide: Callable[[str, bool], None] | None = None
) -> None:
    """One step where the page is drawing; ``decide(call_id, run)`` for Run and Skip.

    The block is drawn into through its methods, never ``with``: leaving a status's
    ``with`` marks it complete, and a step still running must keep its spinner."""
    waiting = step.status is StepStatus.WAITING
    box = st.status(step_label(step, t), state=_STATES[step.status], expanded=waiting)
    if step.server:
        box.caption(t("tools.from_server", server=escape_markdown(step.server)))
    else:
        box.caption(t("tools.built_in"))
    _arguments(box, step)
    if waiting and decide is not None:
        _run_or_skip(box, step, t, decide)
    elif step.status is StepStatus.DONE:
        box.caption(t("tools.result"))
        box.code(step.result or t("tools.no_output"), language="text", wrap_lines=True)
        if step.cut:
            box.caption(t("tools.result_cut"))
    elif step.error:
        box.caption(t("tools.why", why=escape_markdown(step.error)))


def _arguments(box: DeltaGenerator, step: ToolStep) -> None:
    if step.arguments:
        shown = json.dumps(dict(step.arguments), ensure_ascii=False, indent=2, default=str)
        box.code(shown, language="json", wrap_lines=True)
    elif step.raw_arguments:
        box.code(step.raw_arguments, language="text", wrap_lines=True)


def _run_or_skip(
    box: DeltaGenerator, step: ToolStep, t: Translator, decide: Callable[[str, bool], None]
) -> None:
    box.caption(t("tools.asks_first"))
    row = box.container(horizontal=True, gap="small")
    key = f"tool_decision_{step.round}_{step.call_id}"
    row.button(t("tools.run"), key=f"{key}_run", type="primary", icon=":material/play_arrow:",
               on_click=decide, args=(step.call_id, True))  # fmt: skip
    row.button(t("tools.skip"), key=f"{key}_skip", icon=":material/block:",
               on_click=decide, args=(step.call_id, False))  # fmt: skip


def render_sources(steps: tuple[ToolStep, ...], t: Translator) -> None:
    """What the answer's web tools found, under it: links the visitor may open (the
    page never fetches them)."""
    sources = answer_sources(steps)
    if sources:
        st.caption(f"**{t('tools.sources')}**  \n{sources_markdown(sources)}")


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
