"""Answers per second that 1 and 2 replicas sustain behind HAProxy, on PostgreSQL.

    CHAT_TEST_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/replicas.py

Each replica is ``streamlit run`` on its own port; HAProxy runs the shipped
deploy/haproxy/haproxy.cfg (its DNS template replaced by the replicas' ports). Visitors
are websocket clients (bench/load_client.py), each sending messages one after another,
answered with 100 tokens at 200 tokens/s by the scripted server in its own process.
The load grows step by step; the figure is the most answers per second with the first
token's p95 under 2 s. Everything shares this machine's cores, load client included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load_client import ChatSession  # noqa: E402
from tests.support.app_server import StreamlitProcess, settings_env  # noqa: E402
from tests.support.proxy import HAProxy  # noqa: E402

P95_LIMIT = 2.0


def _start_model_server() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "model_server.py"), "100", "200"],
        stdout=subprocess.PIPE,
        text=True,
    )
    return process, process.stdout.readline().strip()


def _load_step(url: str, visitors: int, seconds: float) -> tuple[float, float, int]:
    """``visitors`` sending one message after another for ``seconds``:
    (answers per second, first-token p95 in seconds, failures)."""
    firsts: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def visitor(n: int) -> None:
        session = ChatSession(url, timeout=60)
        try:
            m = 0
            while time.monotonic() < stop_at:
                tag = f"s{n}m{m}x"
                turn = session.send(f"question {tag}", watch=f"{tag}-start")
                with lock:
                    if turn.ttft is None or not any(f"{tag} end." in t for t in turn.texts):
                        failures[0] += 1
                    else:
                        firsts.append(turn.ttft)
                m += 1
        except Exception:
            with lock:
                failures[0] += 1
        finally:
            session.close()

    started = time.monotonic()
    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(visitors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    p95 = statistics.quantiles(firsts, n=20)[-1] if len(firsts) > 1 else float("inf")
    return len(firsts) / elapsed, p95, failures[0]


def measure(replicas: int, database_url: str, model_url: str, steps: list[int], seconds: float):
    """Rows of (visitors, answers/s, p95 ms, failures) for ``replicas`` behind the proxy."""
    folder = Path(tempfile.mkdtemp(prefix=f"bench-replicas-{replicas}-"))
    env = settings_env(
        OPENAI_BASE_URL=model_url,
        OPENAI_API_KEY="bench",
        CHAT_MODEL="scripted-small",
        CHAT_DATABASE_URL=database_url,
        CHAT_TRUSTED_PROXIES="127.0.0.1",
        CHAT_ANSWERS_PER_USER="1000",  # every visitor here is the local user
        CHAT_ANSWERS_TOTAL="1000",
        STREAMLIT_SERVER_COOKIE_SECRET="bench-cookie-secret",
    )
    apps = [StreamlitProcess(env) for _ in range(replicas)]
    proxy = None
    try:
        for app in apps:
            app.wait_ready()
        proxy = HAProxy([app.port for app in apps], folder)
        proxy.wait_for_servers(up=proxy.servers)  # else the first visitors get its 503
        _load_step(proxy.url, 2, 3)  # warm every replica up
        rows = []
        for visitors in steps:
            rate, p95, failures = _load_step(proxy.url, visitors, seconds)
            rows.append((visitors, rate, p95, failures))
            if p95 >= P95_LIMIT * 1.5:
                break
        return rows
    finally:
        if proxy is not None:
            proxy.stop()
        for app in apps:
            app.stop()


def best(rows) -> float:
    return max(
        (rate for _, rate, p95, failures in rows if p95 < P95_LIMIT and not failures), default=0.0
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="4,8,16,24,32,48,64")
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    database_url = os.environ.get("CHAT_TEST_DATABASE_URL")
    if not database_url:
        sys.exit("set CHAT_TEST_DATABASE_URL (scripts/postgres-for-tests prints one)")
    steps = [int(s) for s in args.steps.split(",")]
    model, model_url = _start_model_server()
    try:
        results = {n: measure(n, database_url, model_url, steps, args.seconds) for n in (1, 2)}
    finally:
        model.kill()
    print(
        f"\n### Replicas behind HAProxy: answers/s with first-token p95 under {P95_LIMIT:.0f} s "
        f"(100 tokens at 200 tokens/s, {os.cpu_count()} cores shared with the load)\n"
    )
    print("| replicas | visitors | answers/s | first token p95 ms | failures |")
    print("|---|---|---|---|---|")
    for replicas, rows in results.items():
        for visitors, rate, p95, failures in rows:
            print(f"| {replicas} | {visitors} | {rate:.1f} | {p95 * 1000:.0f} | {failures} |")
    one, two = best(results[1]), best(results[2])
    ratio = two / one if one else float("nan")
    print(
        f"\nSustained: 1 replica {one:.1f} answers/s, 2 replicas {two:.1f} answers/s "
        f"({ratio:.2f} times)"
    )


if __name__ == "__main__":
    main()
