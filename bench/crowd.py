"""Streaming under a crowd: many visitors asking at once, the app beside two anchors.

    .venv/bin/python bench/crowd.py [--visitors 1,5,10,20,50] [--shapes 100x200,500x100]
    CHAT_TEST_DATABASE_URL=... .venv/bin/python bench/crowd.py --replicas 2 --visitors 50

Each visitor is a websocket client (bench/load_client.py) with a session of its own
(anonymous, titles on as by default); all of a round send one message at the same
moment. The scripted server answers in a process of its own (bench/model_server.py),
so that its streaming threads share no GIL with the app or the clients. For every app
the table gives, at each number of visitors, the first and last tokens' p50 as the
clients saw them (seconds from sending), server CPU and websocket bytes per answer.
The apps: this one, Streamlit's chat tutorial manner (``st.write_stream`` over the raw
client) and the LangChain-handler anchor (a page that redraws on every token).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load_client import ChatSession, at_once  # noqa: E402
from tests.support.app_server import StreamlitProcess, settings_env  # noqa: E402
from tests.support.proxy import HAProxy  # noqa: E402

APPS = {
    "this app": (ROOT / "streamlit_app.py", 2),  # the answer's run, then the page's redraw
    "tutorial manner": (ROOT / "bench" / "anchors" / "tutorial_app.py", 1),
    "langchain anchor": (ROOT / "bench" / "anchors" / "langchain_app.py", 1),
}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_UNLIMITED = "10000"  # every visitor here comes from one address


@dataclass
class Round:
    first: list[float] = field(default_factory=list)  # seconds to each answer's first token
    last: list[float] = field(default_factory=list)  # seconds to each answer's last token
    wrong: int = 0  # answers missing or cut
    cpu: float = 0.0  # server CPU seconds for the whole round
    bytes: int = 0  # websocket bytes for the whole round


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def start_model_server(tokens: int, rate: float) -> tuple[subprocess.Popen, str]:
    script = ROOT / "bench" / "model_server.py"
    process = subprocess.Popen(
        [sys.executable, str(script), str(tokens), str(rate)], stdout=subprocess.PIPE, text=True
    )
    return process, process.stdout.readline().strip()


def start_app(script: Path, model_url: str, **extra: str) -> StreamlitProcess:
    env = settings_env(
        OPENAI_BASE_URL=model_url,
        OPENAI_API_KEY="bench",
        CHAT_MODEL="scripted-small",
        CHAT_ANSWERS_PER_USER="1000",
        CHAT_ANSWERS_TOTAL=_UNLIMITED,
        CHAT_ANSWERS_PER_ADDRESS=_UNLIMITED,
        CHAT_LOCAL_OWNER="false",  # anonymous visitors: no history of their own
        **extra,
    )
    return StreamlitProcess(env, script=script).wait_ready()


def crowd_round(url: str, pids: list[int], visitors: int, runs: int, tag: str) -> Round:
    """``visitors`` sessions, opened first, each sending one message at the same moment;
    the server's CPU is counted from the moment they send."""
    sessions = [ChatSession(url, timeout=300) for _ in range(visitors)]
    result, lock = Round(), threading.Lock()

    def visitor(n: int) -> None:
        name = f"{tag}v{n}x"
        turn = sessions[n].send(
            f"question {name}", watch=f"{name}-start", until=f"{name} end.", runs=runs
        )
        with lock:
            if turn.ttft is None or turn.last is None:
                result.wrong += 1
            else:
                result.first.append(turn.ttft)
                result.last.append(turn.last)

    before = sum(session.bytes_received for session in sessions)
    cpu = sum(cpu_seconds(pid) for pid in pids)
    at_once(visitors, visitor)
    result.cpu = sum(cpu_seconds(pid) for pid in pids) - cpu
    result.bytes = sum(session.bytes_received for session in sessions) - before
    for session in sessions:
        session.close()
    return result


def measure_app(url: str, pid: int, runs: int, counts: list[int], tag: str) -> dict[int, Round]:
    crowd_round(url, [pid], 2, runs, f"{tag}warm")  # a page's first run imports and caches
    return {count: crowd_round(url, [pid], count, runs, f"{tag}n{count}") for count in counts}


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def print_table(title: str, results: dict[str, dict[int, Round]], counts: list[int]) -> None:
    print(f"\n### {title}\n")
    print(
        "| visitors | app | first token p50 s | last token p50 s | first/last | "
        "CPU per answer s | kB per answer | wrong |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for count in counts:
        for name, rounds in results.items():
            r = rounds[count]
            answers = max(1, len(r.first))
            first, last = p50(r.first), p50(r.last)
            print(
                f"| {count} | {name} | {first:.2f} | {last:.2f} | {first / last:.2f} | "
                f"{r.cpu / answers:.3f} | {r.bytes / answers / 1000:.1f} | {r.wrong} |"
            )


def crowd(shape: tuple[int, float], counts: list[int], apps: list[str]) -> None:
    tokens, rate = shape
    model, model_url = start_model_server(tokens, rate)
    results: dict[str, dict[int, Round]] = {}
    try:
        for name in apps:
            script, runs = APPS[name]
            app = start_app(script, model_url)
            try:
                tag = "".join(word[0] for word in name.split())
                results[name] = measure_app(app.url, app.process.pid, runs, counts, tag)
            finally:
                app.stop()
    finally:
        model.kill()
    print_table(
        f"{len(counts)} crowds at once, {tokens}-token answers at {rate:g} tokens/s "
        f"(alone an answer takes {tokens / rate:.1f} s; one process, {os.cpu_count()} cores "
        "shared with the clients)",
        results,
        counts,
    )


def replicas_crowd(replicas: int, shape: tuple[int, float], counts: list[int]) -> None:
    """This app as ``replicas`` processes behind the shipped HAProxy config, sharing
    PostgreSQL (CHAT_TEST_DATABASE_URL); CPU is the sum of the replicas'."""
    database_url = os.environ.get("CHAT_TEST_DATABASE_URL")
    if not database_url:
        sys.exit("set CHAT_TEST_DATABASE_URL (scripts/postgres-for-tests prints one)")
    tokens, rate = shape
    model, model_url = start_model_server(tokens, rate)
    apps, proxy = [], None
    extra = {"CHAT_DATABASE_URL": database_url, "CHAT_TRUSTED_PROXIES": "127.0.0.1"}
    try:
        apps = [start_app(APPS["this app"][0], model_url, **extra) for _ in range(replicas)]
        proxy = HAProxy([app.port for app in apps], Path(tempfile.mkdtemp(prefix="bench-crowd-")))
        proxy.wait_for_servers(up=proxy.servers)
        pids = [app.process.pid for app in apps]
        crowd_round(proxy.url, pids, 2 * replicas, 2, "rwarm")
        rounds = {count: crowd_round(proxy.url, pids, count, 2, f"rn{count}") for count in counts}
    finally:
        if proxy is not None:
            proxy.stop()
        for app in apps:
            app.stop()
        model.kill()
    print_table(
        f"{replicas} replicas behind HAProxy, {tokens}-token answers at {rate:g} tokens/s",
        {"this app": rounds},
        counts,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", default="1,5,10,20,50")
    parser.add_argument("--shapes", default="100x200,500x100", help="TOKENSxRATE,...")
    parser.add_argument("--apps", default=",".join(APPS))
    parser.add_argument("--replicas", type=int, default=0, help="this app behind HAProxy")
    args = parser.parse_args()
    counts = [int(n) for n in args.visitors.split(",")]
    apps = args.apps.split(",")
    for shape in args.shapes.split(","):
        tokens, rate = shape.split("x")
        if args.replicas:
            replicas_crowd(args.replicas, (int(tokens), float(rate)), counts)
        else:
            crowd((int(tokens), float(rate)), counts, apps)


if __name__ == "__main__":
    main()
