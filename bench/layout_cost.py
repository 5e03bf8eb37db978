"""What splitting a streaming answer for drawing costs, by the answer's length and shape.

The page feeds ``StreamLayout`` the whole answer so far every 10 tokens. This prints, for
each shape of ``tests/support/answer_shapes.py`` at 2,000, 8,000 and 32,000 tokens, the
layout's CPU microseconds per update, and beside it, measured in the same run, what one
update costs a page that redraws the whole answer (the UTF-8 encoding of everything so
far, which Streamlit's chat tutorial sends on every token) — the baseline grows with the
answer, the layout should not. Not a test: the figures depend on the machine's load.

    .venv/bin/python bench/layout_cost.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chat_core.markdown.stream_layout import StreamLayout
from tests.support.answer_shapes import SHAPES

SIZES = (2_000, 8_000, 32_000)
BATCH = 10  # tokens per update, as a page draws them


def per_update(tokens: list[str], new_work) -> float:
    """The least, over three passes, of the CPU microseconds per update that the work
    ``new_work()`` returns spends on the text so far (fresh for each pass)."""
    best = float("inf")
    for _ in range(3):
        work, parts, spent, updates = new_work(), [], 0.0, 0
        for i in range(0, len(tokens), BATCH):
            parts += tokens[i : i + BATCH]
            text = "".join(parts)  # the harness's own cost, left out of the figure
            start = time.thread_time()
            work(text)
            spent += time.thread_time() - start
            updates += 1
        best = min(best, spent / updates * 1e6)
    return best


def main() -> None:
    print(f"{'shape':<26}{'tokens':>8}{'layout µs/update':>18}{'whole redraw µs/update':>24}")
    for name, shape in SHAPES.items():
        for size in SIZES:
            tokens = shape(size)
            cost = per_update(tokens, lambda: StreamLayout().update)
            baseline = per_update(tokens, lambda: str.encode)
            print(f"{name:<26}{size:>8}{cost:>18.1f}{baseline:>24.1f}")


if __name__ == "__main__":
    main()
