"""Markdown as the page draws it: no image fetched, code as written, math, line breaks, and
bounded cost whatever the text holds."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from chat_core.markdown.visitor_text import (
    CUT_NOTE,
    MAX_SHOWN_CHARS,
    display_markdown,
    display_question,
)

# An independent parser (not the one display_markdown uses), close to react-markdown's.
_PARSER = MarkdownIt("commonmark", {"maxNesting": 1000}).enable(["table", "strikethrough"])
_PARSER.use(footnote_plugin)


def tokens(markdown: str) -> list[Token]:
    """Every token of ``markdown``, inline ones (and those in image alt text) included."""
    found, stack = [], list(_PARSER.parse(markdown))
    while stack:
        token = stack.pop()
        found.append(token)
        stack += token.children or ()
    return found


def assert_no_image_but_urls_shown(shown: str, *urls: str) -> None:
    """No image is left to fetch, and each URL is still there to follow or read."""
    found = tokens(shown)
    assert [t for t in found if t.type == "image"] == [], shown
    hrefs = {t.attrGet("href") for t in found if t.type == "link_open"}
    shown_as_text = ("text", "code_inline", "fence", "code_block")
    text = "".join(t.content for t in found if t.type in shown_as_text)
    for url in urls:
        assert url in hrefs or url in text, (url, shown)


@pytest.mark.parametrize(
    ("markdown", "urls"),
    [
        pytest.param("![a [b] c](http://x/i.png)", ["http://x/i.png"], id="brackets-in-alt"),
        pytest.param("![a\nb](http://x/i.png)", ["http://x/i.png"], id="newline-in-alt"),
        pytest.param("![ref]\n\n[ref]: http://x/i.png", ["http://x/i.png"], id="shortcut-ref"),
        pytest.param("![ref][]\n\n[ref]: http://x/i.png", ["http://x/i.png"], id="collapsed-ref"),
        pytest.param("![alt][ref]\n\n[ref]: http://x/i.png", ["http://x/i.png"], id="full-ref"),
        pytest.param("![`x`](http://x/i.png)", ["http://x/i.png"], id="alt-is-code"),
        pytest.param("![a `b` c](http://x/i.png)", ["http://x/i.png"], id="code-in-alt"),
        pytest.param("![a ``b` c``](http://x/i.png)", ["http://x/i.png"], id="double-backticks"),
        pytest.param(
            "[![a](http://x/i.png)](http://y)", ["http://x/i.png", "http://y"], id="image-in-link"
        ),
        pytest.param(
            "![a ![b](http://x/j.png)](http://x/i.png)",
            ["http://x/i.png", "http://x/j.png"],
            id="image-in-alt",
        ),
        pytest.param("> quoted ![a](http://x/i.png)", ["http://x/i.png"], id="blockquote"),
        pytest.param(
            "- item\n  - sub ![a](http://x/i.png)\n1. ![b](http://x/j.png)",
            ["http://x/i.png", "http://x/j.png"],
            id="lists",
        ),
        pytest.param(
            "| a | b |\n|---|---|\n| x \\| y ![c](http://x/i.png) | ![d](http://x/j.png) |",
            ["http://x/i.png", "http://x/j.png"],
            id="table-cells",
        ),
        pytest.param("![a](<http://x/i.png>)", ["http://x/i.png"], id="angle-brackets"),
        pytest.param("![a](http://x/i.png 'title')", ["http://x/i.png"], id="title"),
        pytest.param("\\\\![x](http://x/i.png)", ["http://x/i.png"], id="escaped-backslash"),
        pytest.param("# Heading ![a](http://x/i.png)", ["http://x/i.png"], id="heading"),
        pytest.param("Setext ![a](http://x/i.png)\n---", ["http://x/i.png"], id="setext-heading"),
        pytest.param("note[^1]\n\n[^1]: ![a](http://x/i.png)", ["http://x/i.png"], id="footnote"),
        pytest.param("> - > ![a](http://x/i.png)", ["http://x/i.png"], id="mixed-containers"),
        pytest.param(
            ">\t![a](http://x/i.png)\n-\t![b](http://x/j.png)",
            ["http://x/i.png", "http://x/j.png"],
            id="tabs",
        ),
        pytest.param("$x$ ![a](http://x/i.png) $y$", ["http://x/i.png"], id="between-math"),
        pytest.param("a\r\n![a](http://x/i.png)", ["http://x/i.png"], id="crlf"),
    ],
)
def test_no_image_survives_in_any_syntax_or_place(markdown: str, urls: list[str]) -> None:
    """An image would be fetched as soon as drawn, telling a third party who read what."""
    assert_no_image_but_urls_shown(display_markdown(markdown), *urls)


@pytest.mark.parametrize(
    "markdown",
    [
        pytest.param("$`$ ![a](http://x/i.png) `", id="math-breaks-a-code-span"),
        pytest.param("$$ x\n```\n$$\n![a](http://x/i.png)\n```", id="math-block-ends-a-fence"),
        pytest.param(":x[`] ![a](http://x/i.png) `]", id="directive-label"),
        pytest.param(':x{y="`"} ![a](http://x/i.png) `', id="directive-attributes"),
        pytest.param("www.a.com/` ![a](http://x/i.png) `", id="autolink-literal"),
        pytest.param("![" * 40 + "a" + "](http://x/i.png)" * 40, id="nested-past-parser-limit"),
        pytest.param("$![a](http://x/i.png)$", id="image-in-math"),
    ],
)
def test_where_parsers_may_disagree_no_image_can_be_read(markdown: str) -> None:
    """Streamlit's parser (remark-math, remark-directive, GFM autolinks) reads some text
    differently from markdown-it; wherever that could hide an image from markdown-it,
    no "![" is left at all, so no parser can read one, whatever it takes for code."""
    shown = display_markdown(markdown)
    assert "![" not in shown
    assert_no_image_but_urls_shown(shown, "http://x/i.png")


@pytest.mark.parametrize(
    "markdown",
    [
        "Inline `![x](http://x/i.png)` and `\\(x\\)` stay.",
        "```md\n![x](http://x/i.png)\n\\[x\\]\nline one\nline two\n```",
        "~~~\n![x](u)\n~~~",
        "Text:\n\n    ![x](http://x/i.png)\n    \\(x\\)\n",
        "- item\n\n  ```\n  ![x](u)  \\(y\\)\n  a\n  b\n  ```",
        "``a ` ![x](u) ``",
        "`multi\nline ![x](u) code`",
    ],
)
def test_code_is_shown_exactly_as_written(markdown: str) -> None:
    """Code is what people copy: nothing inside it may change, images and LaTeX included."""
    assert display_markdown(markdown) == markdown


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [
        (r"Area \(A = \pi r^2\).", r"Area $A = \pi r^2$."),
        ("\\[\nx^2\n\\]", "$$\nx^2\n$$"),
        ("- a \\(x\\)\n- b \\[y\\]", "- a $x$\n- b $$y$$"),
        ("> \\(x\\)", "> $x$"),
        ("| a |\n|---|\n| \\(x\\) |", "| a |\n|---|\n| $x$ |"),
        ("[see \\(x\\)](http://y)", "[see $x$](http://y)"),
        ("only \\( opened", "only \\( opened"),
        ("\\(a\n\nb\\)", "\\(a\n\nb\\)"),  # not across paragraphs
        ("`\\(x\\)` \\(y\\)", "`\\(x\\)` $y$"),
        ("\\\\(x\\\\)", "\\\\(x\\\\)"),  # escaped backslashes, not delimiters
    ],
)
def test_latex_delimiters_become_dollar_math(markdown: str, shown: str) -> None:
    """Models write \\(x\\) and \\[x\\]; Streamlit only renders $x$ and $$x$$."""
    assert display_markdown(markdown) == shown


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [
        ("首都です。\nHello", "首都です。  \nHello"),
        ("one\ntwo\nthree", "one  \ntwo  \nthree"),
        ("- item\n  continued\n- next", "- item  \n  continued\n- next"),
        ("> quoted\n> on two lines", "> quoted  \n> on two lines"),
        ("para\n\nnext para", "para\n\nnext para"),
        ("already  \nbroken\\\nhere\nnot", "already  \nbroken\\\nhere  \nnot"),
        ("a\r\nb", "a  \nb"),
    ],
)
def test_a_newline_inside_a_paragraph_ends_the_line(markdown: str, shown: str) -> None:
    """A model (or a visitor) breaking a line means it: the page shows the break."""
    assert display_markdown(markdown) == shown


@pytest.mark.parametrize(
    "markdown",
    [
        "```\na\nb\n```",
        "    a\n    b",
        "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |",
        "$$\na\nb\n$$",
        "Sum:\n$$\na\n$$\nEnd",
        "# Title\ntext",
        "- one\n- two",
        "para\n- list",
        "> a\n\n> b",
        "`code\nspan`",
        "$a\nb$",
    ],
)
def test_no_line_break_is_added_outside_paragraph_text(markdown: str) -> None:
    """Code, tables, math, headings and separate blocks already end their lines."""
    assert display_markdown(markdown) == markdown


def container_depth(markdown: str) -> int:
    """How deep blockquotes and lists nest when ``markdown`` is drawn."""
    depth = deepest = 0
    for token in _PARSER.parse(markdown):
        if token.type in ("blockquote_open", "bullet_list_open", "ordered_list_open"):
            depth += 1
            deepest = max(deepest, depth)
        elif token.type in ("blockquote_close", "bullet_list_close", "ordered_list_close"):
            depth -= 1
    return deepest


@pytest.mark.parametrize(
    "markdown",
    [
        "> " * 5000 + "x",
        "- " * 5000 + "x",
        "1. " * 5000 + "x",
        "> - " * 2500 + "x",
        "".join("  " * i + "- x\n" for i in range(200)),
        ("> " * 100 + "line\n") * 3,
    ],
)
def test_nesting_deeper_than_32_levels_is_shown_as_text(markdown: str) -> None:
    """Thousands of levels crash the browser's renderer; past 32 the markers are text."""
    shown = display_markdown(markdown)
    assert container_depth(shown) == 32
    assert shown.replace("\\", "").replace("  \n", "\n") == markdown.rstrip(" ")


def test_shallow_nesting_is_untouched() -> None:
    """The cap is far above what answers nest, which are drawn as written."""
    markdown = "> " * 10 + "- a\n" + "> " * 10 + "  - b"
    assert display_markdown(markdown) == markdown


def test_text_over_the_limit_is_cut_with_a_note() -> None:
    """Past the limit only the head is drawn, and the note says where the rest is."""
    markdown = "word " * 50_000
    shown = display_markdown(markdown)
    assert len(shown) < 200_000 + len(CUT_NOTE) + 10
    assert shown.endswith("\n\n" + CUT_NOTE)
    assert display_markdown("short") == "short"


def test_the_note_is_the_callers_and_stays_out_of_unclosed_code() -> None:
    """The page passes the note in the visitor's language; a cut inside code or math
    closes it first, or the note would be drawn as code."""
    markdown = "Intro\n\n```python\n" + "x = 1\n" * 100
    shown = display_markdown(markdown, limit=200, cut_note="*Suite dans la copie.*")
    assert shown.endswith("```\n\n*Suite dans la copie.*")
    (fence,) = [t for t in _PARSER.parse(shown) if t.type == "fence"]
    assert "Suite" not in fence.content
    cut_math = display_markdown("$$\n" + "x \\\\\n" * 100, limit=100, cut_note="NOTE")
    assert cut_math.endswith("\n$$\n\nNOTE")


def test_questions_keep_their_line_breaks_and_fetch_no_image() -> None:
    """A visitor's question is Markdown with the same safety and line breaks as answers."""
    shown = display_question("Why?\nSee ![x](http://x/i.png)\n```\n![y](u)\n```")
    assert shown == "Why?  \nSee [x](http://x/i.png)\n```\n![y](u)\n```"


def best_time(text: str, repeat: int, limit: int = MAX_SHOWN_CHARS) -> float:
    """The least CPU time of ``repeat`` runs, without garbage collection pauses: CPU time
    of this process, so that other work on a busy machine does not count."""
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.process_time()
            display_markdown(text, limit=limit)
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(lambda n: "\\[" * n, id="escaped-brackets"),
        pytest.param(lambda n: "\\[x\\]" * (n // 3), id="display-math"),
        pytest.param(lambda n: "![" * n, id="image-openers"),
        pytest.param(lambda n: "[" * n + "]" * n, id="nested-brackets"),
        pytest.param(lambda n: "`" * n, id="backticks"),
        pytest.param(lambda n: "` ` " * (n // 2), id="code-spans"),
        pytest.param(lambda n: "> " * (n // 5) + "x", id="blockquotes"),
        pytest.param(lambda n: "- " * (n // 5) + "x", id="lists"),
        pytest.param(lambda n: "*a " * (n * 4 // 5), id="emphasis"),
        pytest.param(lambda n: "$" * (2 * n), id="dollars"),
        pytest.param(lambda n: "$$ab\n\n" * (n // 3), id="unclosed-math-blocks"),
        pytest.param(lambda n: "word ![a](u) \\(x\\)\n" * (n // 20), id="paragraph-lines"),
        pytest.param(lambda n: "x" * (80 * n), id="2MB-line"),
        pytest.param(lambda n: "```\n" + "print(1)\n" * (n // 12) + "```\n", id="2000-line-code"),
    ],
)
def test_cost_grows_linearly_with_adversarial_input(text: Callable[[int], str]) -> None:
    """Every visitor shares one server process: no text may take it quadratic time."""
    small = best_time(text(6_250), repeat=3)
    large = best_time(text(25_000), repeat=3)
    assert large < 8 * max(small, 0.005), (small, large)


def test_dense_markdown_under_a_raised_limit_is_still_linear() -> None:
    """The length cap is not what keeps the cost linear: the parser is."""
    line = "word *em* `code` [link](u) ![i](u) \\(x\\)\n"
    small = best_time(line * 300, repeat=2, limit=10**7)
    large = best_time(line * 1_200, repeat=1, limit=10**7)
    assert large < 8 * max(small, 0.005), (small, large)
