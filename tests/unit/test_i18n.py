"""The catalogues are complete, and UI code shows no text that bypasses them."""

import ast
import string
from pathlib import Path

import pytest

from chat_core.i18n import LANGUAGES, Translator, catalogue, language_for_locale

ROOT = Path(__file__).resolve().parents[2]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_exists_in_every_language():
    keys = {language: set(catalogue(language)) for language in LANGUAGES}
    assert keys["ja"] == keys["en"], keys["ja"] ^ keys["en"]


def test_translations_use_the_same_placeholders():
    for key, english in catalogue("en").items():
        assert placeholders(catalogue("ja")[key]) == placeholders(english), key


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("ja", "ja"),
        ("ja-JP", "ja"),
        ("JA-jp", "ja"),
        ("en-US", "en"),
        ("fr-FR", "en"),
        (None, "en"),
    ],
)
def test_language_follows_the_browser_locale(locale, language):
    assert language_for_locale(locale) == language


def test_translator_fills_placeholders():
    assert "gpt-x" in Translator("en")("error.permission", model="gpt-x")
    with pytest.raises(ValueError):
        Translator("fr")


# Arguments of st.* calls that a visitor reads.
_VISIBLE_KEYWORDS = {"label", "placeholder", "help", "body", "caption", "title", "text"}
# Endonyms: a language's own name is shown as-is in every UI language.
_ALLOWED_LITERALS = {"日本語", "English"}
# Calls whose first argument is an identifier, not text (a chat role, a page file,
# st.feedback's kind of options, a form's key).
_NOT_TEXT_FUNCTIONS = {
    "chat_message",
    "Page",
    "empty",
    "container",
    "cache_data",
    "switch_page",
    "feedback",
    "form",
}


def _ui_files() -> list[Path]:
    return [
        ROOT / "streamlit_app.py",
        *sorted((ROOT / "pages").glob("*.py")),
        *sorted((ROOT / "components").glob("*.py")),
    ]


def _visible_literals(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        is_streamlit = isinstance(func, ast.Attribute) and (
            (isinstance(func.value, ast.Name) and func.value.id in {"st", "placeholder"})
            or (isinstance(func.value, ast.Attribute) and func.value.attr == "sidebar")
        )
        if not is_streamlit:
            continue
        candidates = list(node.args[:1]) + [
            kw.value for kw in node.keywords if kw.arg in _VISIBLE_KEYWORDS
        ]
        if func.attr in _NOT_TEXT_FUNCTIONS:
            continue
        for value in candidates:
            texts = value.values if isinstance(value, ast.JoinedStr) else [value]
            for text in texts:
                if not isinstance(text, ast.Constant):
                    continue
                value = text.value
                if isinstance(value, str) and any(c.isalpha() for c in value):
                    found.extend([] if value in _ALLOWED_LITERALS else [(node.lineno, value)])
    return found


def test_ui_modules_show_no_literal_text():
    offenders = {
        path.relative_to(ROOT).as_posix(): literals
        for path in _ui_files()
        if (literals := _visible_literals(ast.parse(path.read_text())))
    }
    assert offenders == {}


def test_the_literal_check_catches_a_literal():
    tree = ast.parse('st.button("Send")\nst.text_input(label="Name")\nst.markdown(f"Hi {x}")')
    assert [text for _, text in _visible_literals(tree)] == ["Send", "Name", "Hi "]


def test_an_errors_details_are_shown_as_text_and_a_missing_one_never_breaks_the_page():
    from chat_core.errors import ErrorKind, UserFacingError
    from chat_core.i18n import Translator

    t = Translator("en")
    hostile = UserFacingError(ErrorKind.SERVER, {"host": "![p](https://evil.example/p.png)"})
    shown = t.explain(hostile)  # an imported file's error: no status, a Markdown image
    assert "![" not in shown and "\\[p\\]" in shown and "(HTTP …)" in shown
