"""What hostile input costs the server: Markdown shown, images and PDFs attached.

Prints, for each input, the time (and for files the memory) it costs, beside a baseline
from the same run: an ordinary answer of the same length for Markdown, a small file for
files.
Not a test: the figures depend on the machine's load.

    .venv/bin/python bench/hostile_input.py
"""

from __future__ import annotations

import gc
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chat_core.files.attachments import read_upload
from chat_core.markdown.visitor_text import display_markdown
from tests.support.files import pdf_bytes, pdf_sharing_one_stream, png_bytes

MARKDOWN = {
    "25,000 × \\[": "\\[" * 25_000,
    "25,000 × ![": "![" * 25_000,
    "25,000 × [ then ]": "[" * 25_000 + "]" * 25_000,
    "5,000-deep blockquote": "> " * 5_000 + "x",
    "5,000-deep list": "- " * 5_000 + "x",
    "20,000 × *a": "*a " * 20_000,
    "50,000 × $": "$" * 50_000,
    "2 MB single line": "x" * 2_000_000,
    "2,000-line code block": "```\n" + "print(1)\n" * 2_000 + "```\n",
}


# An ordinary answer's Markdown, repeated to the length of each hostile input.
TYPICAL = (
    "Here is **some** text with `code`, $x^2$ and a [link](http://example.com).\n\n"
    "- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint(1)\n```\n\n"
)


def cpu_seconds(work: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    gc.collect()
    for _ in range(repeat):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def markdown_table() -> None:
    print("\n## Markdown shown (CPU seconds, best of 3)\n")
    print("| input | characters | this input | ordinary answer of that length | ratio |")
    print("|---|---|---|---|---|")
    for name, text in MARKDOWN.items():
        cost = cpu_seconds(lambda text=text: display_markdown(text))
        typical = (TYPICAL * (len(text) // len(TYPICAL) + 1))[: len(text)]
        baseline = cpu_seconds(lambda typical=typical: display_markdown(typical))
        ratio = cost / baseline if baseline else float("nan")
        print(f"| {name} | {len(text):,} | {cost:.3f} | {baseline:.3f} | {ratio:.1f} |")


def peak_mb(work: Callable[[], object]) -> tuple[float, float]:
    """(seconds, peak MB allocated by Python and Pillow's C code seen by tracemalloc)."""
    tracemalloc.start()
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak


def files_table() -> None:
    print("\n## Files attached (wall seconds, peak MB traced in the server process)\n")
    print("| file | bytes | seconds | peak MB | outcome |")
    print("|---|---|---|---|---|")
    cases = {
        "a small PDF (baseline)": ("small.pdf", pdf_bytes("hello")),
        "PNG of 12000 × 12000 pixels": ("huge.png", png_bytes(12_000, 12_000)),
        "PDF of 2,000 pages sharing one stream": (
            "pages.pdf",
            pdf_sharing_one_stream(2_000, b"BT /F1 12 Tf 72 720 Td (page) Tj ET " * 200),
        ),
    }
    for name, (filename, data) in cases.items():
        read: list = []

        def work(filename: str = filename, data: bytes = data, read: list = read) -> None:
            read.append(read_upload(filename, data, text_budget=100_000))

        seconds, peak = peak_mb(work)
        attachment = read[0]
        result = "read" if attachment.sent else f"refused: {attachment.problem.kind.value}"
        print(f"| {name} | {len(data):,} | {seconds:.2f} | {peak:.1f} | {result} |")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"\nServer process: max RSS {usage.ru_maxrss / 1024:.0f} MB for everything above.")


if __name__ == "__main__":
    print(f"# Hostile input, {time.strftime('%Y-%m-%d')}")
    markdown_table()
    files_table()
