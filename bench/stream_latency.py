"""Streaming latency: what a visitor sees in Chromium next to the raw openai client.

For each answer size, the same scripted answer is requested once through the raw
``openai`` client and once through the app in a real browser (typing Enter in the
chat input), and the times to first token and to the complete answer are printed.

    .venv/bin/python bench/stream_latency.py [--sizes 40,500,2000] [--rate 1000] [--repeat 3]

Not a test: figures vary with the machine's load, so compare the columns of one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openai  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from chat_core.answers.redraw_pace import CURSOR  # noqa: E402
from tests.support.app_server import StreamlitProcess, settings_env  # noqa: E402
from tests.support.browser import ChatPage, launch_chromium  # noqa: E402
from tests.support.scripted_server import Reply, ScriptedModelServer  # noqa: E402

_PRESS_CLOCK = """
() => {
  window.__enterAt = null;
  document.querySelector('[data-testid="stChatInputTextArea"]').addEventListener(
    'keydown', (e) => { if (e.key === 'Enter') window.__enterAt = performance.now(); },
    {capture: true, once: true});
}
"""


def answer_tokens(size: int, tag: str) -> list[str]:
    """``size`` tokens shaped like a real answer: paragraphs of about 60 tokens."""
    tokens = [f"{tag}-start"]
    for i in range(1, size):
        tokens.append(f"\n\nword{i}" if i % 60 == 0 else f" word{i}")
    return tokens


def raw_client_run(client: openai.OpenAI, text: str) -> tuple[float, float]:
    start = time.perf_counter()
    first = None
    stream = client.chat.completions.create(
        model="scripted-small", messages=[{"role": "user", "content": text}], stream=True
    )
    for chunk in stream:
        if first is None and chunk.choices and chunk.choices[0].delta.content:
            first = time.perf_counter() - start
    return first or float("nan"), time.perf_counter() - start


def browser_run(chat: ChatPage, text: str, tokens: list[str]) -> tuple[float, float]:
    final = "".join(tokens)
    chat.page.evaluate(_PRESS_CLOCK)
    chat.record_answers()
    chat.send(text)
    chat.page.wait_for_function(
        "(tail) => (window.__answerSnapshots || []).some(([, t]) => t.trim().endsWith(tail))",
        arg=final.strip()[-40:],
        timeout=120_000,
    )
    enter_at = chat.page.evaluate("window.__enterAt")
    snapshots = chat.recorded()
    first = next(t for t, shown in snapshots if tokens[0] in shown)
    tail = final.strip()[-40:]
    done = next(t for t, shown in snapshots if shown.strip().endswith(tail) and CURSOR not in shown)
    return (first - enter_at) / 1000, (done - enter_at) / 1000


def new_chat(chat: ChatPage) -> None:
    chat.page.locator(".st-key-new_chat button").click()
    chat.page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length === 0"
    )


APPS = {
    "this app": ROOT / "streamlit_app.py",
    "tutorial anchor": ROOT / "bench" / "anchors" / "tutorial_app.py",
}


def measure_app(script: Path, server: ScriptedModelServer, args, client) -> dict[int, list]:
    """Per size: a list of (raw client, browser) timing pairs for the app in ``script``."""
    env = settings_env(
        OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="bench", CHAT_MODEL="scripted-small"
    )
    app = StreamlitProcess(env, script=script).wait_ready()
    results: dict[int, list] = {}
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            chat = ChatPage(browser.new_page()).open(app.url)
            server.script = lambda body: Reply.text("warm-up answer")
            chat.send("warm-up")
            chat.wait_for_answer("warm-up answer", count=2)
            for size in args.sizes:
                results[size] = []
                for run in range(args.repeat):
                    tokens = answer_tokens(size, f"a{size}r{run}")
                    server.script = lambda _body, t=tokens: Reply(
                        tokens=t, tokens_per_second=args.rate
                    )
                    raw = raw_client_run(client, f"raw {size} {run}")
                    new_chat(chat)
                    results[size].append((raw, browser_run(chat, f"browser {size} {run}", tokens)))
            browser.close()
    finally:
        app.stop()
    return results


def print_table(name: str, results: dict[int, list], rate: float, repeat: int) -> None:
    print(f"\n{name}: scripted server at {rate:g} tokens/s; medians of {repeat} runs, in ms")
    header = ("tokens", "raw TTFT", "browser TTFT", "diff", "raw total", "browser total", "ratio")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for size, pairs in results.items():
        raw_first = statistics.median(raw[0] for raw, _ in pairs) * 1000
        raw_total = statistics.median(raw[1] for raw, _ in pairs) * 1000
        seen_first = statistics.median(seen[0] for _, seen in pairs) * 1000
        seen_total = statistics.median(seen[1] for _, seen in pairs) * 1000
        print(
            f"| {size} | {raw_first:.1f} | {seen_first:.1f} | {seen_first - raw_first:+.1f} "
            f"| {raw_total:.1f} | {seen_total:.1f} | {seen_total / raw_total:.3f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="40,500,2000")
    parser.add_argument("--rate", type=float, default=1000.0, help="tokens per second")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--apps", default=",".join(APPS), help="which of: " + ", ".join(APPS))
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",")]

    with ScriptedModelServer() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="bench")
        raw_client_run(client, "warm-up")
        for name in args.apps.split(","):
            print_table(name, measure_app(APPS[name], server, args, client), args.rate, args.repeat)


if __name__ == "__main__":
    main()
