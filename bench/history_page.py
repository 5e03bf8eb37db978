"""What the History page costs to draw, by the number of conversations stored.

    .venv/bin/python bench/history_page.py [--sizes 0 50 1000 10000] [--before REV]
        [--before-sizes 0 50 500 1000] [--others 10000] [--before-others 1000]

Each figure is the server CPU (the whole process: script thread and database) of one
AppTest run of the History page, its first and a second one, and a search for a word
in every conversation's messages, and the elements drawn,
for an owner with that many conversations in SQLite. Baselines from the same run: the
same page with no conversations (Streamlit's and the app's floor), and, with
``--before``, the page as it was at git revision REV (exported into a temporary folder).
``--others``: another visitor's first token (over the websocket, against the scripted
server) alone, then while one visitor opens History again and again, under ``streamlit
run``.
Not a test: the figures depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SETTINGS = ("OPENAI_", "CHAT_")
_SEARCHED = "スープ"  # in every conversation's messages, none of their titles


def _child(root: Path, data: Path) -> dict[str, float]:
    """Run in a fresh process whose imports come from ``root``: the page's figures."""
    sys.path.insert(0, str(root))
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=3600)
    app.run()  # the chat page: imports and the process's first run are not counted
    app.switch_page("pages/history.py")
    figures = {}
    for name in ("first", "again"):
        started = time.process_time()
        app.run()
        figures[name] = time.process_time() - started
    assert not app.exception, app.exception
    figures["elements"] = _count(app._tree)
    app.text_input(key="history_search").set_value(_SEARCHED)
    started = time.process_time()
    app.run()
    figures["search"] = time.process_time() - started
    assert not app.exception, app.exception
    return figures


def _count(node) -> int:
    children = getattr(node, "children", None)
    if not children:
        return 1
    return sum(_count(child) for child in children.values())


def _environment(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SETTINGS)}
    env.update(
        CHAT_DATA_DIR=str(data),
        CHAT_DOTENV_FILE="/nonexistent/.env",
        CHAT_AUTO_TITLES="false",
        OPENAI_BASE_URL="http://127.0.0.1:9/v1",  # nothing is asked of a model
        OPENAI_API_KEY="bench",
        CHAT_MODEL="bench",
    )
    return env


@contextmanager
def _stored(count: int):
    """A data folder whose local owner has ``count`` conversations."""
    from chat_core.identity import LOCAL_OWNER
    from chat_core.storage.engine import sqlite_url
    from chat_core.storage.store import ConversationStore
    from tests.support.many_conversations import add_conversations

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        store = ConversationStore(sqlite_url(data))
        add_conversations(store, LOCAL_OWNER, count)
        store.engine.dispose()
        yield data


def measure(root: Path, count: int, *, limit_seconds: float) -> dict[str, float] | None:
    """The figures of the page at ``root`` with ``count`` conversations stored."""
    with _stored(count) as data:
        command = [sys.executable, __file__, "--child", str(root), str(data)]
        try:
            done = subprocess.run(
                command,
                env=_environment(data),
                cwd=root,
                capture_output=True,
                text=True,
                timeout=limit_seconds,
                check=True,
            )
        except subprocess.TimeoutExpired:
            return None
        except subprocess.CalledProcessError as failed:
            raise SystemExit(failed.stderr[-3000:]) from failed
    return json.loads(done.stdout.strip().splitlines()[-1])


def others(
    root: Path, count: int, *, answers: int = 5
) -> tuple[tuple[float, float], tuple[float, float], int]:
    """Another visitor's first token (median and slowest, seconds, websocket), alone and
    while one visitor opens History again and again; and how many times it was drawn."""
    from bench.load_client import ChatSession
    from tests.support.app_server import StreamlitProcess, settings_env
    from tests.support.scripted_server import ScriptedModelServer

    with _stored(count) as data, ScriptedModelServer() as server:
        env = settings_env(
            OPENAI_BASE_URL=server.base_url,
            OPENAI_API_KEY="bench",
            CHAT_MODEL="bench",
            CHAT_DATA_DIR=str(data),
            CHAT_AUTO_TITLES="false",
        )
        app = StreamlitProcess(env, script=root / "streamlit_app.py").wait_ready()
        try:
            chat = ChatSession(app.url, timeout=600)
            alone = _first_tokens(chat, answers)
            stop, drawn = threading.Event(), []

            def browse() -> None:
                visitor = ChatSession(app.url, timeout=600)
                while not stop.is_set():
                    visitor.open_page("history")
                    drawn.append(1)
                visitor.close()

            browsing = threading.Thread(target=browse, daemon=True)
            browsing.start()
            time.sleep(1)
            busy = _first_tokens(chat, answers)
            stop.set()
            browsing.join(timeout=600)
        finally:
            app.stop()
    return alone, busy, len(drawn)


def _first_tokens(chat, answers: int) -> tuple[float, float]:
    times = []
    for n in range(answers):
        result = chat.send(f"question {n} {time.monotonic()}", watch="Echo")
        times.append(result.ttft if result.ttft is not None else float("nan"))
    return statistics.median(times), max(times)


def _exported(revision: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def _row(label: str, count: int, figures: dict[str, float] | None, limit: float) -> str:
    if figures is None:
        return f"| {label} | {count:,} | over {limit:.0f} s: stopped | | | |"
    return (
        f"| {label} | {count:,} | {figures['first']:.2f} | {figures['again']:.2f} "
        f"| {figures['search']:.2f} | {figures['elements']:.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[0, 50, 1000, 10_000])
    parser.add_argument("--before", help="a git revision to measure as the baseline")
    parser.add_argument("--before-sizes", type=int, nargs="*", default=[0, 50, 500, 1000])
    parser.add_argument("--limit", type=float, default=600, help="seconds per measurement")
    parser.add_argument(
        "--others", type=int, nargs="*", default=[], help="sizes for another visitor's TTFT"
    )
    parser.add_argument("--before-others", type=int, nargs="*", default=[])
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    print(f"# History page, {time.strftime('%Y-%m-%d %H:%M')} (server CPU seconds per run)\n")
    print("| page | conversations | first run | second run | search | elements drawn |")
    print("|---|---|---|---|---|---|")
    for count in options.sizes:
        figures = measure(ROOT, count, limit_seconds=options.limit)
        print(_row("this app", count, figures, options.limit), flush=True)
    if options.before:
        with tempfile.TemporaryDirectory() as folder:
            before = _exported(options.before, Path(folder))
            for count in options.before_sizes:
                figures = measure(before, count, limit_seconds=options.limit)
                print(_row(f"before ({options.before})", count, figures, options.limit))
            _others_table(
                [("this app", ROOT, n) for n in options.others]
                + [(f"before ({options.before})", before, n) for n in options.before_others]
            )
    else:
        _others_table([("this app", ROOT, n) for n in options.others])


def _others_table(cases: list[tuple[str, Path, int]]) -> None:
    if not cases:
        return
    print("\n## Another visitor's first token while one opens History again and again\n")
    print(
        "| app | conversations | TTFT alone, median / slowest "
        "| TTFT meanwhile, median / slowest | History drawn meanwhile |"
    )
    print("|---|---|---|---|---|")
    for label, root, count in cases:
        alone, busy, drawn = others(root, count)
        print(
            f"| {label} | {count:,} | {alone[0]:.2f} / {alone[1]:.2f} s "
            f"| {busy[0]:.2f} / {busy[1]:.2f} s | {drawn} |",
            flush=True,
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(_child(Path(sys.argv[2]), Path(sys.argv[3]))))
    else:
        main()
