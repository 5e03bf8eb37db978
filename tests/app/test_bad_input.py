"""Strange input: handled in the page, never a hang, a crash or a lost message."""

from __future__ import annotations

import ast
import subprocess

import pytest

from chat_core.markdown.visitor_text import (
    clean_user_text,
    display_markdown,
    escape_markdown,
)
from chat_core.prompt.system_prompts import DEFAULT_SYSTEM_PROMPTS
from tests.app.test_app import bubbles, send
from tests.support.app_server import ROOT, open_model_settings
from tests.support.scripted_server import Reply


def test_a_200000_character_paste_is_refused_before_any_request(app, model_server):
    app.run()
    paste = "x" * 200_000
    send(app, paste)
    assert model_server.chat_requests == []
    assert bubbles(app) == [("user", paste)]  # kept, so nothing typed is lost
    assert app.error[0].value.startswith(
        "This message was not sent: it is 200,000 characters long, and at most 50,000"
    )
    send(app, "short one")
    assert [m["content"] for m in model_server.chat_requests[-1].messages[1:]] == ["short one"]


def test_the_input_limit_is_a_setting(app, model_server, clean_env):
    clean_env.setenv("CHAT_MAX_INPUT_CHARS", "200000")
    # A short answer: echoing 150,000 characters streams ~37,500 chunks, and parsing them
    # took most of this test's time (over AppTest's timeout on a loaded machine).
    model_server.queue(Reply.text("Received."))
    app.run()
    send(app, "y" * 150_000)
    assert len(model_server.chat_requests[-1].messages[-1]["content"]) == 150_000
    assert bubbles(app) == [("user", "y" * 150_000), ("assistant", "Received.")]


def test_control_characters_and_nul_bytes_are_removed(app, model_server):
    app.run()
    send(app, "a\x00b\x07c\x1b[31m\tdone")
    assert model_server.chat_requests[-1].messages[-1]["content"] == "abc[31m\tdone"


@pytest.mark.parametrize(
    "text",
    ["مرحبا بالعالم", "שלום עולם", "👩‍💻🚀✨ emoji", "日本語とＥｎｇｌｉｓｈ、かな・カナ"],
)
def test_right_to_left_emoji_and_japanese_come_through(app, model_server, text):
    app.run()
    send(app, text)
    assert model_server.chat_requests[-1].messages[-1]["content"] == text
    assert bubbles(app)[-1] == ("assistant", f"Echo: {text}")


def test_an_empty_system_prompt_means_the_default(app, model_server):
    open_model_settings(app).run()
    app.text_area(key="sidebar_system_prompt").set_value("Be brief.")
    send(app, "one")
    app.text_area(key="sidebar_system_prompt").set_value("   ")
    send(app, "two")
    prompts = [r.messages[0]["content"] for r in model_server.chat_requests]
    assert prompts == ["Be brief.", DEFAULT_SYSTEM_PROMPTS["en"]]


def test_out_of_range_configuration_is_reported_and_not_used(app, model_server, clean_env):
    clean_env.setenv("CHAT_TEMPERATURE", "5")
    clean_env.setenv("CHAT_HISTORY_WINDOW", "-2")
    app.run()
    warnings = " ".join(w.value for w in app.warning)
    assert "CHAT_TEMPERATURE" in warnings and "CHAT_HISTORY_WINDOW" in warnings
    send(app, "hi")
    assert model_server.chat_requests[-1].body["temperature"] == 0.0


def test_user_text_is_cleaned_but_keeps_its_layout():
    assert clean_user_text("  line one\n\n\tindented\r\n ") == "line one\n\n\tindented"
    assert clean_user_text("\u200b\u00a0ok") == "\u200b\u00a0ok"  # only control characters go


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [
        ("![tracker](https://evil.example/p.png)", "[tracker](https://evil.example/p.png)"),
        ("a ![x](//cdn.example/x.gif) b", "a [x](//cdn.example/x.gif) b"),
        (
            "![ref image][r]\n\n[r]: https://e.example/i.png",
            "[ref image][r]\n\n[r]: https://e.example/i.png",
        ),
        (
            "`![kept](x)` and\n```md\n![kept](y)\n```\n![gone](z)",
            "`![kept](x)` and\n```md\n![kept](y)\n```\n[gone](z)",
        ),
        (
            "no images! [just a link](https://example.com)",
            "no images! [just a link](https://example.com)",
        ),
    ],
)
def test_markdown_images_become_links_outside_code(markdown, shown):
    assert display_markdown(markdown) == shown


def _fixed_strings(tree: ast.Module) -> set[str]:
    """Module-level names bound to a plain string literal (nothing interpolated)."""
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def test_no_ui_code_allows_unsafe_html():
    """No HTML from anything but a fixed string of the app's own (a stylesheet)."""
    for path in [
        ROOT / "streamlit_app.py",
        *ROOT.glob("pages/*.py"),
        *ROOT.glob("components/*.py"),
    ]:
        tree = ast.parse(path.read_text())
        fixed = _fixed_strings(tree)
        allowed = {
            id(node.func)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "html"
            and len(node.args) == 1
            and not node.keywords
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in fixed
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "unsafe_allow_html":
                pytest.fail(f"{path.name} uses unsafe_allow_html")
            if isinstance(node, ast.Attribute) and node.attr == "html" and id(node) not in allowed:
                pytest.fail(f"{path.name} uses st.html with something but a fixed string")


def test_secrets_files_are_ignored_by_git():
    result = subprocess.run(
        ["git", "check-ignore", ".env", ".streamlit/secrets.toml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == [".env", ".streamlit/secrets.toml"]


def test_no_cached_resource_is_keyed_by_a_secret():
    for path in [*ROOT.glob("pages/*.py"), *ROOT.glob("components/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(
                "cache" in ast.unparse(d) for d in node.decorator_list
            ):
                names = {a.arg for a in node.args.args + node.args.kwonlyargs}
                assert not names & {"api_key", "key", "settings", "secret"}, (path, node.name)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("report_final_v2.pdf", "report\\_final\\_v2.pdf"),
        (
            "[click](https://evil.example) <b>.md",
            "\\[click\\](https:\u2060//evil.example) \\<b\\>.md",
        ),
        ("price $5 and $6 *bold*.txt", "price \\$5 and \\$6 \\*bold\\*.txt"),
        ("two\nlines.txt", "two lines.txt"),
        ("see https://evil.example/x", "see https:\u2060//evil.example/x"),
        ("www.evil.example me@evil.example", "www\u2060.evil.example me@\u2060evil.example"),
    ],
)
def test_file_names_show_literally_in_markdown(name, shown):
    assert escape_markdown(name) == shown


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [
        (r"Area \(A = \pi r^2\).", r"Area $A = \pi r^2$."),
        ("Sum:\n\\[\n\\sum_{i=1}^n i\n\\]\n", "Sum:\n$$\n\\sum_{i=1}^n i\n$$\n"),
        ("`\\(literal\\)` and\n```\n\\[kept\\]\n```", "`\\(literal\\)` and\n```\n\\[kept\\]\n```"),
        ("Already $x$ and $$y$$", "Already $x$ and $$y$$"),
        ("![chart](https://e.example/c.png) \\(z\\)", "[chart](https://e.example/c.png) $z$"),
    ],
)
def test_latex_delimiters_models_use_are_shown_as_math(markdown, shown):
    assert display_markdown(markdown) == shown
