"""Presets in the page: a picker on the empty chat, and "Save as preset" in the sidebar.

A preset is applied through the visitor's choices (``state.choose``), exactly as if
they had set it in the sidebar: the sidebar's widgets show it and a conversation saves
it as its settings. Names and prompts are the owner's text, never Markdown.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import clean_user_text, escape_markdown, one_line, shorten
from chat_core.settings.presets import (
    MANAGED,
    MAX_NAME_CHARS,
    MAX_OWN_PRESETS,
    MAX_PROMPT_CHARS,
    PRESET_SETTINGS,
    Preset,
    applied,
    make_preset,
    matches,
    shipped_presets,
)
from chat_core.settings.settings import Settings, with_overrides
from components import state
from components.context import page_context
from components.persistence import OwnerHistory

__all__ = ["render_preset_picker", "render_preset_saving"]

PICKER = "preset_choice"
DEFAULT = "default"
CUSTOM = "custom"  # the session's settings are no preset's: nothing to apply
_DIALOG = "preset_dialog_open"
_NAME_SHOWN = 40  # in the dialog's list


def _choices(t: Translator, history: OwnerHistory | None) -> dict[str, Preset | None]:
    """Default, the shipped presets in the page's language, then the owner's own."""
    own = (history.presets() or []) if history is not None else []
    return {DEFAULT: None, **{preset.id: preset for preset in [*shipped_presets(t.language), *own]}}


def _apply(choices: dict[str, Preset | None]) -> None:
    """The picker's ``on_change``: the chosen preset's settings become the visitor's
    choices (before the run, so the sidebar and the next request have them)."""
    key = state.widget_value(PICKER)
    if key not in choices or key == CUSTOM:
        return
    values = applied(choices[key], state.overrides())
    for name in MANAGED:
        if name in values:
            state.choose(name, values[name])
        else:
            state.forget_choice(name)


def _labels(choices: dict[str, Preset | None], t: Translator) -> dict[str, str]:
    """Each choice's label, all different: the browser sends back the label chosen, so
    an owner's preset named like a shipped one must not be taken for it."""
    fixed = {DEFAULT: t("presets.default"), CUSTOM: t("presets.custom")}
    labels: dict[str, str] = {}
    for key, preset in choices.items():
        label = base = fixed[key] if preset is None else preset.name
        count = 1
        while label in labels.values():
            count += 1
            label = f"{base} ({count})"
        labels[key] = label
    return labels


def render_preset_picker(t: Translator) -> None:
    """The picker on a new chat. It shows the preset the session's settings work as, or
    "Custom settings" once the sidebar changed them (an option only then)."""
    context = page_context()
    choices = _choices(t, context.history)
    chosen = state.overrides()
    shown = next(
        (key for key, preset in choices.items() if matches(preset, chosen, context.configured)),
        CUSTOM,
    )
    if shown == CUSTOM:
        choices[CUSTOM] = None
    st.session_state[PICKER] = shown
    labels = _labels(choices, t)
    st.selectbox(
        t("presets.label"),
        tuple(choices),
        format_func=labels.__getitem__,
        help=t("presets.help"),
        key=PICKER,
        on_change=_apply,
        args=(choices,),
        width=320,
    )


# Saving: a button in the sidebar's model settings opens a dialog.


def _open_dialog() -> None:
    st.session_state[_DIALOG] = True


def _close_dialog() -> None:
    st.session_state.pop(_DIALOG, None)


def render_preset_saving(
    configured: Settings, history: OwnerHistory | None, t: Translator, disabled: bool
) -> None:
    """The "Save as preset" button, for a visitor with a saved history only."""
    if history is None:
        return
    st.button(
        t("presets.save"),
        key="preset_save",
        icon=":material/bookmark_add:",
        on_click=_open_dialog,
        disabled=disabled,
        width="stretch",
    )
    if st.session_state.get(_DIALOG) and not disabled:
        st.dialog(t("presets.save"), on_dismiss=_close_dialog)(_dialog)(configured, history, t)


def _dialog(configured: Settings, history: OwnerHistory, t: Translator) -> None:
    own = history.presets()
    if own is None:
        st.warning(t("presets.unavailable"), icon=":material/database:")
        return
    with st.form(key="preset_form", border=False):
        name = st.text_input(
            t("presets.name"),
            max_chars=MAX_NAME_CHARS,
            placeholder=t("presets.name_placeholder"),
            key="preset_name",
        )
        st.caption(t("presets.saves_what"))
        if st.form_submit_button(t("presets.save_button"), type="primary"):
            _save(name, configured, history, own, t)
    if own:
        st.markdown(f"**{t('presets.yours')}**")
        for preset in own:
            _own_row(preset, history, t)


def _problem(name: str, prompt: str, own: list[Preset], t: Translator) -> str | None:
    """Why these cannot be saved, in the visitor's words; None when they can."""
    if not one_line(name):
        return t("presets.name_missing")
    if (length := len(clean_user_text(prompt))) > MAX_PROMPT_CHARS:
        return t("presets.prompt_too_long", length=length, limit=MAX_PROMPT_CHARS)
    replaced = any(preset.name == one_line(name) for preset in own)
    if not replaced and len(own) >= MAX_OWN_PRESETS:
        return t("presets.too_many", limit=MAX_OWN_PRESETS)
    return None


def _save(
    name: str, configured: Settings, history: OwnerHistory, own: list[Preset], t: Translator
) -> None:
    """Save the session's prompt and settings under ``name`` (over the owner's preset of
    that name), then close the dialog."""
    settings = with_overrides(configured, state.overrides())
    prompt = settings.system_prompt or ""
    if (problem := _problem(name, prompt, own, t)) is not None:
        st.error(problem)
        return
    same = next((preset.id for preset in own if preset.name == one_line(name)), None)
    values: dict[str, Any] = {key: getattr(settings, key) for key in PRESET_SETTINGS}
    try:
        preset = make_preset(name, prompt, values, id=same)
    except ValueError:
        st.error(t("presets.invalid"))
        return
    if history.save_preset(preset) is None:
        st.error(t("presets.unavailable"))
        return
    st.toast(t("presets.saved", name=escape_markdown(preset.name)), icon=":material/bookmark:")
    _close_dialog()
    st.rerun()


def _own_row(preset: Preset, history: OwnerHistory, t: Translator) -> None:
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.markdown(escape_markdown(shorten(preset.name, _NAME_SHOWN)), width="stretch")
        st.button(
            "",
            key=f"preset_delete_{preset.id}",
            icon=":material/delete:",
            help=t("presets.delete"),
            type="tertiary",
            on_click=_delete,
            args=(history, preset.id, t),
        )


def _delete(history: OwnerHistory, preset_id: str, t: Translator) -> None:
    if not history.delete_preset(preset_id):
        st.toast(t("presets.unavailable"), icon=":material/database:")
