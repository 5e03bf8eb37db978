"""Presets: their checks and bounds, the shipped ones, and each owner's in the store
(SQLite and PostgreSQL, through the `store` and `owner` fixtures)."""

from __future__ import annotations

import math
import uuid

import pytest

from chat_core.prompt.system_prompts import DEFAULT_SYSTEM_PROMPTS
from chat_core.settings.declarations import LIMITS, STORED_SETTINGS
from chat_core.settings.presets import (
    MAX_NAME_CHARS,
    MAX_PROMPT_CHARS,
    PRESET_SETTINGS,
    Preset,
    applied,
    make_preset,
    matches,
    shipped_presets,
)
from chat_core.settings.settings import Settings


def test_a_preset_holds_the_stored_settings_but_the_prompt():
    assert set(PRESET_SETTINGS) == set(STORED_SETTINGS) - {"system_prompt"}
    assert {"model", "temperature", "max_tokens", "history_window"} <= set(PRESET_SETTINGS)
    with pytest.raises(ValueError, match="does not hold"):
        Preset("p", "", {"system_prompt": "x"})
    with pytest.raises(ValueError, match="does not hold"):
        Preset("p", "", {"api_key": "sk-secret"})  # never a key or a server
    with pytest.raises(ValueError, match="does not hold"):
        Preset("p", "", {"base_url": "http://elsewhere"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("temperature", -0.1),
        ("temperature", 2.01),
        ("temperature", math.nan),
        ("temperature", math.inf),
        ("temperature", "0.5"),
        ("temperature", True),
        ("max_tokens", 0),
        ("max_tokens", int(LIMITS["max_tokens"][1]) + 1),
        ("max_tokens", 512.0),  # a whole number, as the sidebar's widget gives
        ("history_window", -1),
        ("history_window", 51),
        ("model", ""),
        ("model", "two\nlines"),
        ("model", "m" * 201),
        ("model", 5),
    ],
)
def test_settings_are_checked_by_type_and_range(name, value):
    with pytest.raises(ValueError):
        Preset("p", "", {name: value})


def test_every_setting_a_preset_holds_is_checked_by_its_type():
    """Settings added to STORED_SETTINGS later (a switch, say) are checked too."""
    for name in PRESET_SETTINGS:
        default = getattr(Settings(), name)
        if default is None:  # not chosen (the tools switched off): a value it may hold
            default = "time,everything/echo"
        assert Preset("p", "", {name: default}).settings == {name: default}
        for wrong in (None, [default], 5 if isinstance(default, str) else "text"):
            with pytest.raises(ValueError):
                Preset("p", "", {name: wrong})
        if isinstance(default, bool):
            with pytest.raises(ValueError):
                Preset("p", "", {name: 1})


def test_settings_at_their_bounds_are_accepted():
    low = {"temperature": 0, "max_tokens": 1, "history_window": 0, "model": "m"}
    high = {"temperature": 2.0, "max_tokens": 32_768, "history_window": 50, "model": "m" * 200}
    assert Preset("low", "", low).settings == low
    assert Preset("high", "", high).settings == high


def test_names_and_prompts_are_bounded():
    Preset("n" * MAX_NAME_CHARS, "p" * MAX_PROMPT_CHARS, {})
    with pytest.raises(ValueError, match="name"):
        Preset("n" * (MAX_NAME_CHARS + 1), "", {})
    with pytest.raises(ValueError, match="prompt"):
        Preset("p", "p" * (MAX_PROMPT_CHARS + 1), {})
    for bad_name in ("", "two\nlines", " padded", "bidi\u202eevil"):
        with pytest.raises(ValueError):
            Preset(bad_name, "", {})
    with pytest.raises(ValueError):
        Preset("p", "a bell\x07", {})


def test_make_preset_cleans_what_was_typed():
    preset = make_preset(
        "  My   preset\u202e ",
        "  Be brief.\x00  ",
        {"temperature": 1, "max_tokens": 100, "history_window": None, "model": "m"},
    )
    assert preset.name == "My preset"
    assert preset.system_prompt == "Be brief."
    assert preset.settings == {"temperature": 1.0, "max_tokens": 100, "model": "m"}
    assert isinstance(preset.settings["temperature"], float)
    assert make_preset("p", None, {}).system_prompt == ""
    with pytest.raises(ValueError):
        make_preset("   ", "prompt", {})
    with pytest.raises(ValueError):
        make_preset("p", "x" * (MAX_PROMPT_CHARS + 1), {})


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_shipped_presets_exist_in_both_languages_and_are_valid(language):
    presets = shipped_presets(language)
    assert 3 <= len(presets) <= 4
    assert [p.id for p in presets] == [p.id for p in shipped_presets("en")]  # same ones
    for preset in presets:
        assert preset.shipped and preset.name and preset.system_prompt
        # Valid by construction; made again, the checks pass the same way.
        assert Preset(preset.name, preset.system_prompt, preset.settings) is not None
        assert "model" not in preset.settings  # it suits whichever model is in use
        # The app's rule: say so when it does not know.
        known = "わかりません" if language == "ja" else "not know"
        assert known in preset.system_prompt, preset.name
    by_id = {p.id: p for p in presets}
    assert by_id["translator"].settings["temperature"] == 0
    assert by_id["proofreader"].settings["temperature"] == 0


def test_shipped_presets_are_in_the_language_asked():
    names = {p.name for p in shipped_presets("ja")}
    assert "翻訳（日本語⇄英語）" in names and "文章校正" in names
    assert "Translator (Japanese ⇄ English)" in {p.name for p in shipped_presets("en")}
    assert shipped_presets("fr") == shipped_presets("en")
    assert all(
        p.system_prompt not in DEFAULT_SYSTEM_PROMPTS.values() for p in shipped_presets("ja")
    )


def test_choosing_a_preset_decides_every_managed_setting_but_an_unnamed_model():
    translator = shipped_presets("en")[0]
    chosen = {"model": "big", "temperature": 1.5, "history_window": 9, "system_prompt": "old"}
    result = applied(translator, chosen)
    assert result == {
        "system_prompt": translator.system_prompt,
        "temperature": 0.0,
        "max_tokens": 2048,
        "model": "big",  # the visitor's model stays: the preset names none
    }
    own = Preset("mine", "", {"model": "small", "temperature": 0.3})
    assert applied(own, chosen) == {"model": "small", "temperature": 0.3}  # default prompt
    assert applied(None, chosen) == {}  # Default: the configured values


def test_the_preset_in_use_is_recognised_by_what_the_settings_do():
    configured = Settings(model="configured", temperature=0.4)
    translator, proofreader = shipped_presets("en")[:2]
    chosen = applied(translator, {}) | {"language": "en", "api_key": "k"}  # others ignored
    assert matches(translator, chosen, configured)
    assert not matches(proofreader, chosen, configured)
    assert not matches(None, chosen, configured)
    assert matches(None, {"system_prompt": "  ", "language": "ja"}, configured)  # blank
    assert matches(None, {"temperature": 0.4, "model": "configured"}, configured)  # the same
    chosen["temperature"] = 0.7  # changed in the sidebar afterwards
    assert not matches(translator, chosen, configured)
    # One's own preset saved from the settings in use is the one in use.
    own = Preset("own", "Be terse.", {"model": "configured", "temperature": 1.0})
    assert matches(own, {"system_prompt": "Be terse.", "temperature": 1.0}, configured)


# The store ---------------------------------------------------------------------


def _mine(name: str = "Haiku", **settings) -> Preset:
    return Preset(name, "Answer in haiku.", {"temperature": 0.9, **settings})


def test_presets_are_saved_listed_updated_and_deleted(store, owner):
    assert store.presets(owner) == []
    first = store.save_preset(owner, _mine(model="m", max_tokens=64))
    second = store.save_preset(owner, Preset("日本語の名前 **bold**", "", {"history_window": 0}))
    listed = store.presets(owner)
    assert [(p.id, p.name) for p in listed] == [(first, "Haiku"), (second, "日本語の名前 **bold**")]
    assert listed[0].settings == {"temperature": 0.9, "model": "m", "max_tokens": 64}
    assert listed[0].system_prompt == "Answer in haiku." and not listed[0].shipped

    renamed = Preset("Haiku, cooler", "Answer in haiku.", {"temperature": 0.1}, id=first)
    assert store.save_preset(owner, renamed) == first  # updated in place
    assert store.presets(owner)[0] == renamed
    assert len(store.presets(owner)) == 2

    assert store.delete_preset(owner, first) is True
    assert store.delete_preset(owner, first) is False  # gone already
    assert [p.id for p in store.presets(owner)] == [second]


def test_an_owner_never_sees_changes_or_deletes_anothers_preset(store, owner):
    other = f"other-{uuid.uuid4()}"
    theirs = store.save_preset(other, _mine("Theirs"))
    assert store.presets(owner) == []
    assert store.delete_preset(owner, theirs) is False
    # Saving with their id makes a new preset of one's own; theirs is untouched.
    mine = store.save_preset(owner, Preset("Mine", "hijacked", {}, id=theirs))
    assert mine != theirs
    assert [(p.id, p.name) for p in store.presets(owner)] == [(mine, "Mine")]
    assert [(p.id, p.name, p.system_prompt) for p in store.presets(other)] == [
        (theirs, "Theirs", "Answer in haiku.")
    ]


def test_a_stored_preset_that_no_longer_passes_the_checks_is_left_out(store, owner):
    from sqlalchemy import update

    from chat_core.storage.schema import presets

    kept = store.save_preset(owner, _mine("kept"))
    broken = store.save_preset(owner, _mine("broken"))
    with store.engine.begin() as connection:
        connection.execute(
            update(presets).where(presets.c.id == broken).values(settings={"temperature": 9})
        )
    assert [p.id for p in store.presets(owner)] == [kept]
