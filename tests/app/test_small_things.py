"""The small things of a polished chat page, without a browser (tests/browser has the rest)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from chat_core.i18n import Translator, catalogue, language_for_locale
from components import styles


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_the_empty_page_folds_the_file_limits_away(app, locale):
    language = language_for_locale(locale)
    t = Translator(language)
    app.context["locale"] = locale
    app.run()
    assert not app.exception
    folds = [e for e in app.expander if e.label == t("chat.attachment_rules_fold")]
    assert len(folds) == 1
    assert not folds[0].proto.expanded  # collapsed until the visitor opens it
    rules_start = catalogue(language)["attachment.rules"].split("{")[0]
    assert [c.value[: len(rules_start)] for c in folds[0].caption] == [rules_start]
    assert f"### {t('chat.empty_title')}" in [m.value for m in app.markdown]


def _mount_jump_in_japanese() -> None:
    from chat_core.i18n import Translator
    from components.jump_to_latest import jump_to_latest

    jump_to_latest(Translator("ja"))


def _components(node) -> list:
    found = []
    children = getattr(node, "children", None)
    for child in children.values() if isinstance(children, dict) else children or []:
        if getattr(child, "type", None) == "bidi_component":
            found.append(child)
        found.extend(_components(child))
    return found


def test_the_jump_button_is_one_inline_component_with_a_translated_label():
    at = AppTest.from_function(_mount_jump_in_japanese).run()
    assert not at.exception
    [jump] = _components(at._tree)
    assert jump.key == "jump_to_latest"  # its container is st-key-jump_to_latest (styles.py)
    assert json.loads(jump.proto.json) == {"label": "最新へ移動"}
    # Inline code, no file: the page gets the JS with the element, nothing else to fetch.
    assert "export default function" in jump.proto.js_content
    assert not jump.proto.js_source_path
    assert ".st-key-jump_to_latest" in styles._STYLE


def test_the_code_label_pushes_out_exactly_the_class_prefix():
    """The label shows the code's class minus "language-": as many ch as it has letters."""
    prefix = "language-"
    assert f'code[class^="{prefix}"]:not(.language-plaintext)::before' in styles._STYLE
    assert "content: attr(class)" in styles._STYLE
    assert f"text-indent: -{len(prefix)}ch" in styles._STYLE
