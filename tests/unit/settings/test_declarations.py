"""The settings' declarations and the tables derived from them agree, and each setting a
visitor may choose is named in both languages."""

from __future__ import annotations

import dataclasses

import pytest

from chat_core.i18n import LANGUAGES, catalogue
from chat_core.settings import declarations as decl
from chat_core.settings.declarations import DECLARATIONS, Keeper, SidebarGroup, ValueKind
from chat_core.settings.presets import MANAGED
from chat_core.settings.settings import Settings
from chat_core.settings.sources import resolve_settings
from tests.support.app_server import SETTING_NAMES

NAMES = [item.name for item in DECLARATIONS]


def test_every_settings_field_is_declared_once():
    fields = {f.name for f in dataclasses.fields(Settings)} - {"model_configured"}
    assert len(NAMES) == len(set(NAMES))
    assert set(NAMES) == fields
    envs = [item.env for item in DECLARATIONS]
    assert len(envs) == len(set(envs))


def test_derived_tables_are_the_declarations():
    assert {item.env: item.name for item in DECLARATIONS} == decl.ENV_NAMES
    assert set(SETTING_NAMES) == {item.env for item in DECLARATIONS}
    assert {i.name: i.bounds for i in DECLARATIONS if i.bounds is not None} == decl.LIMITS
    assert {i.name for i in DECLARATIONS if i.visitor} == decl.VISITOR_CHOICES
    assert (
        tuple(i.name for i in DECLARATIONS if i.keeper is not Keeper.NOTHING)
        == decl.STORED_SETTINGS
    )
    assert (
        tuple(i.name for i in DECLARATIONS if i.keeper is Keeper.CONVERSATION_AND_PRESET)
        == decl.PRESET_SETTINGS
    )
    assert set(decl.MODEL_SETTINGS) == {
        i.name for i in DECLARATIONS if i.group is SidebarGroup.MODEL_SETTINGS
    }


def test_the_tables_hold_what_they_held_before():
    """The values the app had before the declarations (behaviour stays as it was)."""
    assert decl.STORED_SETTINGS == (
        "model", "temperature", "max_tokens", "history_window", "history_fit", "system_prompt",
        "tools_off",
    )  # fmt: skip
    assert ("system_prompt", *decl.PRESET_SETTINGS) == MANAGED
    assert {
        "api_key", "base_url", "model", "temperature", "max_tokens", "history_window",
        "history_fit", "system_prompt", "language", "reasoning_effort", "tools_off",
    } == decl.VISITOR_CHOICES  # fmt: skip
    assert set(decl.MODEL_SETTINGS) == {
        "model", "temperature", "max_tokens", "history_window", "history_fit",
        "system_prompt", "base_url", "reasoning_effort",
    }  # fmt: skip
    assert len(decl.LIMITS) == 20 and decl.LIMITS["temperature"] == (0.0, 2.0)


@pytest.mark.parametrize("item", DECLARATIONS, ids=NAMES)
def test_each_declaration_is_consistent(item):
    default = getattr(Settings(), item.name)
    if item.bounds is not None:
        low, high = item.bounds
        assert item.kind in (ValueKind.WHOLE, ValueKind.DECIMAL)
        assert item.expected == f"{low} .. {high}"
        if default is not None:
            assert low <= default <= high
            assert isinstance(default, int if item.kind is ValueKind.WHOLE else float)
    if item.keeper is not Keeper.NOTHING:
        assert item.kind is not ValueKind.OTHER and not item.secret
        assert item.visitor
    if item.visitor:
        assert item.group is not None and item.widget is not None
    if item.kind is ValueKind.YES_NO:
        assert default is None or isinstance(default, bool)  # require_key: None is "it depends"


@pytest.mark.parametrize("item", [i for i in DECLARATIONS if i.bounds], ids=lambda i: i.name)
def test_a_number_outside_its_bounds_is_refused(item):
    high = item.bounds[1]
    above = str(int(high) + 1) if item.kind is ValueKind.WHOLE else str(high + 1)
    settings, problems = resolve_settings([{item.env: above}])
    assert getattr(settings, item.name) == getattr(Settings(), item.name)
    assert [p.name for p in problems] == [item.env]
    settings, problems = resolve_settings([{item.env: str(high)}])
    assert problems == () and getattr(settings, item.name) == item.parse(str(high))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("item", [i for i in DECLARATIONS if i.visitor], ids=lambda i: i.name)
def test_each_visitor_choice_has_its_label(item, language):
    assert item.label is not None
    assert item.label in catalogue(language)
