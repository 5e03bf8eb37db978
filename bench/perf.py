"""The performance report: every figure of the performance targets, each beside its baseline.

    .venv/bin/python bench/perf.py [--quick] [--only SECTION ...]

Sections: latency, first, traffic, long, concurrent, crowd, memory, refresh. Everything runs against
the scripted server on loopback; baselines are measured in the same run (the raw
openai client, Streamlit's chat tutorial pattern, the LangChain redraw-every-token
pattern, and a floor app that echoes with no model at all). Not a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openai  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from bench import crowd as crowd_bench  # noqa: E402
from bench.load_client import ChatSession  # noqa: E402
from bench.stream_latency import (  # noqa: E402
    _PRESS_CLOCK,
    answer_tokens,
    browser_run,
    new_chat,
    raw_client_run,
)
from chat_core.storage.engine import sqlite_url  # noqa: E402
from chat_core.storage.store import ConversationStore  # noqa: E402
from tests.support.answer_shapes import SHAPES, code_block, long_table  # noqa: E402
from tests.support.app_server import StreamlitProcess, settings_env  # noqa: E402
from tests.support.browser import ChatPage, launch_chromium  # noqa: E402
from tests.support.scripted_server import Reply, ScriptedModelServer  # noqa: E402

APPS = {
    "this app": ROOT / "streamlit_app.py",
    "tutorial anchor": ROOT / "bench" / "anchors" / "tutorial_app.py",
    "langchain anchor": ROOT / "bench" / "anchors" / "langchain_app.py",
}
FLOOR = ROOT / "bench" / "anchors" / "floor_app.py"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_app(script: Path, server: ScriptedModelServer, **extra: str) -> StreamlitProcess:
    env = settings_env(
        OPENAI_BASE_URL=server.base_url,
        OPENAI_API_KEY="bench",
        CHAT_MODEL="scripted-small",
        **extra,
    )
    return StreamlitProcess(env, script=script).wait_ready()


def median_ms(values) -> float:
    return statistics.median(values) * 1000 if values else float("nan")


def table(title: str, header: tuple[str, ...], rows: list[tuple]) -> None:
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(f"{v:.1f}" if isinstance(v, float) else str(v) for v in row) + " |")


def with_browser(app: StreamlitProcess, work: Callable[[ChatPage], object]) -> object:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            return work(ChatPage(browser.new_page()).open(app.url))
        finally:
            browser.close()


def set_answer(server: ScriptedModelServer, tokens: list[str], rate: float | None) -> None:
    server.script = lambda _body: Reply(tokens=tokens, tokens_per_second=rate)


def floor_ttft(server: ScriptedModelServer, repeat: int) -> float:
    """Keypress to first paint for Streamlit alone (no model), in seconds."""
    app = start_app(FLOOR, server)

    def work(chat: ChatPage) -> float:
        times = []
        for run in range(repeat + 1):
            tag = f"floor{run}"
            chat.page.evaluate(_PRESS_CLOCK)
            chat.record_answers()
            chat.send(f"x {tag}")
            chat.page.wait_for_function(
                "(t) => (window.__answerSnapshots || []).some(([, s]) => s.includes(t))",
                arg=f"{tag}-start",
            )
            enter = chat.page.evaluate("window.__enterAt")
            seen = next(t for t, s in chat.recorded() if f"{tag}-start" in s)
            times.append((seen - enter) / 1000)
            time.sleep(0.3)
        return statistics.median(times[1:])

    try:
        return with_browser(app, work)
    finally:
        app.stop()


def latency(server, client, args) -> None:
    """Browser-seen time to first token and total time, next to the raw client."""
    floor = floor_ttft(server, args.repeat)
    rows = []
    for name, script in APPS.items():
        app = start_app(script, server)

        def work(chat: ChatPage, name=name) -> None:
            set_answer(server, ["warm-up answer"], None)
            chat.send("warm-up")
            chat.wait_for_answer("warm-up answer", count=2)
            for size in args.sizes:
                raw, seen = [], []
                for run in range(args.repeat):
                    tokens = answer_tokens(size, f"a{size}r{run}")
                    set_answer(server, tokens, args.rate)
                    raw.append(raw_client_run(client, "raw"))
                    new_chat(chat)
                    seen.append(browser_run(chat, f"browser {size} {run}", tokens))
                raw_first, raw_total = median_ms(r[0] for r in raw), median_ms(r[1] for r in raw)
                first, total = median_ms(s[0] for s in seen), median_ms(s[1] for s in seen)
                rows.append(
                    (
                        name,
                        size,
                        raw_first,
                        first,
                        first - raw_first,
                        first - floor * 1000,
                        raw_total,
                        total,
                        f"{total / raw_total:.3f}",
                    )
                )

        try:
            with_browser(app, work)
        finally:
            app.stop()
    table(
        f"Latency at {args.rate:g} tokens/s (ms; medians of {args.repeat}; Streamlit floor "
        f"{floor * 1000:.1f} ms = keypress to paint with no model)",
        (
            "app",
            "tokens",
            "raw TTFT",
            "browser TTFT",
            "- raw",
            "- floor",
            "raw total",
            "browser total",
            "ratio",
        ),
        rows,
    )


def first_message(server, client, args) -> None:
    """Time to first token of the first message after the server starts."""
    rows = []
    for name, script in list(APPS.items())[:2]:
        values = []
        for run in range(args.repeat):
            app = start_app(script, server)
            tokens = answer_tokens(40, f"first{run}")

            def work(chat: ChatPage, tokens=tokens) -> tuple[float, float]:
                time.sleep(3)  # a person reads the page before typing
                set_answer(server, tokens, args.rate)
                return browser_run(chat, "first message", tokens)

            try:
                values.append(with_browser(app, work)[0])
            finally:
                app.stop()
        fresh = openai.OpenAI(base_url=server.base_url, api_key="bench")
        set_answer(server, answer_tokens(40, "raw"), args.rate)
        raw_first = raw_client_run(fresh, "raw first")[0]
        rows.append(
            (name, raw_first * 1000, median_ms(values), median_ms(values) - raw_first * 1000)
        )
    table(
        f"First message after the server starts (ms; median of {args.repeat} fresh starts)",
        ("app", "raw TTFT (fresh client)", "browser TTFT", "difference"),
        rows,
    )


def _raw_cpu(client: openai.OpenAI, server: ScriptedModelServer, tokens: list[str]) -> float:
    """CPU the raw openai client's own thread spends reading the same stream."""
    set_answer(server, tokens, 200)
    before = time.thread_time()
    raw_client_run(client, "raw cpu")
    return time.thread_time() - before


def _stored_answers(data: Path) -> list[str]:
    store = ConversationStore(sqlite_url(data))
    return [
        message.content
        for summary in store.list("local")
        for message in store.load(summary.id, "local").messages
        if message.role == "assistant"
    ]


def traffic(server, client, args) -> None:
    """Websocket bytes and server CPU for 2000-token answers at 200 tokens/s, by shape."""
    rows = []
    for name, script in APPS.items():
        app = start_app(script, server)
        try:
            session = ChatSession(app.url)
            set_answer(server, ["warm"], None)
            session.send("warm", watch="warm", runs=2 if name == "this app" else 1)
            tokens = answer_tokens(2000, "traffic")
            set_answer(server, tokens, 200)
            before_bytes, before_cpu = session.bytes_received, cpu_seconds(app.process.pid)
            session.send("long answer", watch=tokens[0], runs=2 if name == "this app" else 1)
            sent = session.bytes_received - before_bytes
            cpu = cpu_seconds(app.process.pid) - before_cpu
            session.close()
        finally:
            app.stop()
        rows.append((name, f"{sent / 1e6:.3f}", f"{cpu:.2f}"))
    raw = _raw_cpu(client, server, answer_tokens(2000, "raw-cpu"))
    rows.append(("raw openai client, parsing only (its thread)", "-", f"{raw:.2f}"))
    table(
        "One 2000-token answer at 200 tokens/s (paragraphs of 60 tokens): bytes sent to "
        "the browser, server CPU",
        ("app", "websocket MB", "server CPU s"),
        rows,
    )
    _traffic_by_shape(server, client)
    _extreme_answers(server)


def _traffic_by_shape(server, client) -> None:
    rows = []
    app = start_app(APPS["this app"], server)
    try:
        session = ChatSession(app.url, timeout=120)
        set_answer(server, ["warm"], None)
        session.send("warm", watch="warm")
        for name, shape in SHAPES.items():
            tokens = shape(2000, name.split()[-1])
            set_answer(server, tokens, 200)
            before_bytes, before_cpu = session.bytes_received, cpu_seconds(app.process.pid)
            session.send(name, watch=f"{name.split()[-1]}-start")
            sent = session.bytes_received - before_bytes
            cpu = cpu_seconds(app.process.pid) - before_cpu
            raw = _raw_cpu(client, server, tokens)
            rows.append(
                (
                    name,
                    f"{len(''.join(tokens)) / 1e3:.0f}",
                    f"{sent / 1e6:.3f}",
                    f"{cpu:.2f}",
                    f"{raw:.2f}",
                    f"{cpu / raw:.2f}",
                )
            )
        session.close()
    finally:
        app.stop()
    table(
        "This app, 2000 tokens at 200 tokens/s by shape (CPU: the whole server process, "
        "saving and the final redraw included; raw: the openai client's thread alone)",
        ("shape", "answer kB", "websocket MB", "server CPU s", "raw client CPU s", "ratio"),
        rows,
    )


def _extreme_answers(server) -> None:
    """Answers far past any normal length: nothing may be lost and no client dropped."""
    extremes = {
        "68 KB code block": code_block(1500, "x68"),
        "2 MB single line": ["x2mb-start"] + [" word" * 100] * 4000,
        "933 KB table": long_table(22000, "x933"),
    }
    rows = []
    data = Path(tempfile.mkdtemp(prefix="bench-extreme-"))
    app = start_app(APPS["this app"], server, CHAT_DATA_DIR=str(data))
    try:
        for name, tokens in extremes.items():
            if len(tokens) > 4000:  # pack rows so that every answer streams in about 20 s
                size = len(tokens) // 4000 + 1
                tokens = ["".join(tokens[i : i + size]) for i in range(0, len(tokens), size)]
            session = ChatSession(app.url, timeout=600)
            set_answer(server, tokens, 200)
            start, before = time.monotonic(), session.bytes_received
            tag = tokens[0].split("-start")[0].split()[-1] + "-start"
            session.send(name, watch=tag)
            seconds = time.monotonic() - start
            sent = session.bytes_received - before
            session.close()
            whole = "".join(tokens) in _stored_answers(data)
            rows.append(
                (
                    name,
                    f"{len(''.join(tokens)) / 1e3:.0f}",
                    len(tokens),
                    f"{sent / 1e6:.2f}",
                    f"{seconds:.1f}",
                    "yes" if whole else "NO",
                )
            )
    finally:
        app.stop()
    table(
        "Extreme answers at 200 tokens/s (one websocket client each, never reconnected)",
        ("answer", "kB", "tokens", "websocket MB", "seconds", "stored whole"),
        rows,
    )


def long_conversation(server, client, args) -> None:
    """Time to first token at the 200th message of one conversation against the 1st."""
    rows = []
    for name in ("this app", "tutorial anchor"):
        app = start_app(APPS[name], server)
        try:
            session = ChatSession(app.url)
            ttfts = []
            for i in range(args.messages):
                tag = f"m{i}-start"
                set_answer(server, [tag, " short", " answer", " here"], None)
                result = session.send(
                    f"message {i}", watch=tag, runs=2 if name == "this app" else 1
                )
                ttfts.append(result.ttft)
            session.close()
        finally:
            app.stop()
        first, last = median_ms(ttfts[:10]), median_ms(ttfts[-10:])
        rows.append((name, first, last, f"{last / first:.2f}"))
    table(
        f"Server-side time to first token, messages 1-10 against {args.messages - 9}-"
        f"{args.messages} of one conversation (ms, medians; websocket load client)",
        ("app", "at the 1st", f"at the {args.messages}th", "ratio"),
        rows,
    )


_OTHER_SESSION = re.compile(r"\bv\d+m\d+")


@dataclass
class Round:
    first: list[float]  # seconds to each answer's first token
    whole: list[float]  # seconds to each whole answer
    wrong: int  # answers missing, cut, or showing another session's text


def run_sessions(app: StreamlitProcess, server, count: int, messages: int, tokens: int = 100):
    """``count`` sessions at once, each sending ``messages`` messages answered with
    ``tokens`` tokens at 200 tokens/s, each answer naming its session."""

    def script(body):
        tag = body["messages"][-1]["content"]
        return Reply(
            tokens=[f"{tag}-start"] + [f" {tag}"] * (tokens - 2) + [" end."], tokens_per_second=200
        )

    server.script = script
    barrier = threading.Barrier(count)
    result = Round([], [], 0)
    lock = threading.Lock()

    def visitor(n: int) -> None:
        session = ChatSession(app.url, timeout=180)
        barrier.wait()
        try:
            for m in range(messages):
                tag = f"v{n}m{m}"
                turn = session.send(tag, watch=f"{tag}-start")
                others = [t for t in turn.texts if _OTHER_SESSION.search(t.replace(f"v{n}m", ""))]
                with lock:
                    if (
                        turn.ttft is None
                        or others
                        or not any(f"{tag} end." in t for t in turn.texts)
                    ):
                        result.wrong += 1
                    else:
                        result.first.append(turn.ttft)
                        result.whole.append(turn.total)
        finally:
            session.close()

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else float("nan")


def _raw_streams_at_once(server, count: int, tokens: int = 100) -> Round:
    """The floor of one process: ``count`` raw openai client streams in threads at once,
    in a process of their own (bench/raw_streams.py)."""
    server.script = lambda body: Reply(
        tokens=["raw-start"] + [" raw"] * (tokens - 1), tokens_per_second=200
    )
    script = ROOT / "bench" / "raw_streams.py"
    output = subprocess.run(
        [sys.executable, str(script), server.base_url, str(count)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    figures = json.loads(output)
    return Round(figures["first"], figures["whole"], len(figures["failed"]))


def _floor_at_once(server, count: int) -> Round:
    """Streamlit alone: ``count`` sessions of the echo app (no model) sending at once."""
    app = start_app(FLOOR, server)
    try:
        sessions = [ChatSession(app.url, timeout=180) for _ in range(count)]
        result, lock = Round([], [], 0), threading.Lock()
        barrier = threading.Barrier(count)

        def visitor(n: int) -> None:
            barrier.wait()
            turn = sessions[n].send(f"x f{n}", watch=f"f{n}-start", runs=1)
            with lock:
                result.first.append(turn.ttft)
                result.whole.append(turn.total)

        threads = [threading.Thread(target=visitor, args=(n,)) for n in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for session in sessions:
            session.close()
        return result
    finally:
        app.stop()


def _row(name: str, result: Round) -> tuple:
    return (
        name,
        len(result.first),
        result.wrong,
        median_ms(result.first),
        _p(result.first, 95),
        median_ms(result.whole),
    )


def concurrent(server, client, args) -> None:
    """Many sessions sending at once: first token and whole answer, beside two floors
    measured in the same run: raw openai streams in one process, and Streamlit alone."""
    rows = [
        _row(
            f"raw openai client, {args.sessions} streams in one process",
            _raw_streams_at_once(server, args.sessions),
        ),
        _row(
            f"floor app (Streamlit, no model), {args.sessions} sessions",
            _floor_at_once(server, args.sessions),
        ),
    ]
    app = start_app(APPS["this app"], server, CHAT_ANSWERS_PER_USER=str(args.sessions))
    try:
        rows.append(_row("this app, 1 session (5 messages)", run_sessions(app, server, 1, 5)))
        for round_ in range(1, 4):
            cpu = cpu_seconds(app.process.pid)
            many = run_sessions(app, server, args.sessions, 1)
            cpu = cpu_seconds(app.process.pid) - cpu
            rows.append(
                _row(f"this app, {args.sessions} sessions, round {round_} ({cpu:.1f} s CPU)", many)
            )
    finally:
        app.stop()
    table(
        f"{args.sessions} at once, 100-token answers at 200 tokens/s (an answer alone takes "
        "0.5 s; ms; the app's figures as seen by websocket clients, whole = after the "
        "redraw that follows the answer)",
        (
            "who",
            "answers",
            "wrong or missing",
            "first token p50",
            "first token p95",
            "whole answer p50",
        ),
        rows,
    )


def crowd(server, client, args) -> None:
    """Visitors asking at once (1 to 50), the app beside the tutorial manner and the
    LangChain anchor, for short quick answers and long slow ones (bench/crowd.py)."""
    counts = [1, 5, 10, 20, 50]
    for shape in ((100, 200.0), (500, 100.0)):
        crowd_bench.crowd(shape, counts, list(crowd_bench.APPS))


def memory(server, client, args) -> None:
    app = start_app(
        APPS["this app"],
        server,
        STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL="1",
        CHAT_ANSWERS_PER_USER=str(args.sessions),
    )
    rows = []
    try:
        pid = app.process.pid
        rows.append(("started, one page run", f"{rss_mb(pid):.0f}"))
        run_sessions(app, server, 1, 1)
        for round_ in range(1, args.memory_rounds + 1):
            wrong = run_sessions(app, server, args.sessions, args.memory_messages).wrong
            rows.append(
                (
                    f"round {round_}: {args.sessions} sessions x "
                    f"{args.memory_messages} messages, open",
                    f"{rss_mb(pid):.0f}",
                )
            )
            time.sleep(8)  # past the disconnected-session TTL, so sessions are released
            rows.append((f"round {round_}: all closed ({wrong} wrong)", f"{rss_mb(pid):.0f}"))
    finally:
        app.stop()
    table("Memory of the server process (RSS, MB)", ("moment", "RSS MB"), rows)


def refresh(server, client, args) -> None:
    """Sessions that each refresh once mid-answer: the new session follows the answer's
    job to its end; memory must stay flat and no answer may be left unfinished."""
    words = [f"w{n:03d}" for n in range(40)]
    data = Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    app = start_app(
        APPS["this app"],
        server,
        CHAT_DATA_DIR=str(data),
        STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL="1",
        CHAT_ANSWERS_PER_USER=str(args.sessions),  # every session here is the local user
    )
    server.script = lambda body: Reply(tokens=[f"{w} " for w in words], tokens_per_second=40)
    rows, broken = [], [0]
    lock = threading.Lock()

    def visitor(n: int) -> None:
        first = ChatSession(app.url, timeout=120)
        try:
            first.submit(f"refresh me {n}")
            first.wait_for("w005", timeout=60)
        finally:
            first.close()  # the tab is refreshed: its websocket goes, the answer goes on
        again = ChatSession(app.url, timeout=120, query_string=first.query_string)
        try:
            shown = any("w039" in text for text in again.first_run.texts)
            whole = shown or again.wait_for("w039", timeout=60)
        finally:
            again.close()
        with lock:
            broken[0] += 0 if whole and first.query_string.startswith("c=") else 1

    try:
        pid = app.process.pid
        rows.append(("started", f"{rss_mb(pid):.0f}"))
        for round_ in range(1, args.memory_rounds + 1):
            threads = [threading.Thread(target=visitor, args=(n,)) for n in range(args.sessions)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            time.sleep(8)  # past the disconnected-session TTL
            rows.append(
                (
                    f"round {round_}: {args.sessions} refreshed sessions, closed",
                    f"{rss_mb(pid):.0f}",
                )
            )
        store = ConversationStore(sqlite_url(data))
        unfinished = sum(
            1
            for summary in store.list("local")
            for message in store.load(summary.id, "local", writing_within=3600).messages
            if message.status.value != "complete"
        )
    finally:
        app.stop()
    rows.append(
        (
            f"answers not whole after the refresh: {broken[0]}; unfinished: {unfinished}",
            "",
        )
    )
    table("Refresh mid-answer: memory of the server process (RSS, MB)", ("moment", "RSS MB"), rows)


SECTIONS = {
    "latency": latency,
    "first": first_message,
    "traffic": traffic,
    "long": long_conversation,
    "concurrent": concurrent,
    "crowd": crowd,
    "memory": memory,
    "refresh": refresh,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--sizes", default="40,500,2000")
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--memory-messages", type=int, default=20)
    # Rounds of sessions: a leak grows every round, a warming allocator levels off.
    parser.add_argument("--memory-rounds", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and messages")
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",")]
    if args.quick:
        args.repeat, args.messages, args.memory_messages = 1, 40, 3
    print(f"# Performance report, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores")
    with ScriptedModelServer() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="bench")
        raw_client_run(client, "warm-up")
        for name in args.only:
            SECTIONS[name](server, client, args)
            gc.collect()


if __name__ == "__main__":
    main()
