"""What tools add to an answer before its first model call: opening its MCP sessions.

Each answer that uses tools opens its own sessions (so no server's state is shared
between visitors' answers) and closes them at the end. This prints, over several runs
each, how long opening and closing the toolbox takes for the reference servers the
tests use: ``mcp-server-time`` over stdio (a process started per answer) and
``@modelcontextprotocol/server-everything`` over Streamable HTTP (already running), and
the built-in web tools (no session at all); beside two baselines measured in the same
run: starting a bare Python process, and one HTTP request on loopback.
Not a test: the figures depend on the machine's load.

    .venv/bin/python bench/tool_startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from chat_core.tools.mcp_config import parse_mcp_config
from chat_core.tools.mcp_tools import McpToolbox
from chat_core.web.web_tools import WebPlan, WebToolbox
from tests.support.mcp_servers import everything_server

TIME_SERVER = Path(sys.executable).parent / "mcp-server-time"


def timed(work, runs: int) -> tuple[float, float]:
    """(median, slowest) seconds of ``runs`` calls of ``work``, after one warm-up."""
    work()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), max(seconds)


def open_toolbox(servers) -> None:
    with McpToolbox(servers, connect_seconds=30) as box:
        assert box.tools and not box.problems, box.problems


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    stdio = parse_mcp_config(json.dumps({"mcpServers": {"time": {"command": str(TIME_SERVER)}}}),
                             {}).servers  # fmt: skip
    rows: list[tuple[str, tuple[float, float]]] = []
    with everything_server() as url, httpx.Client() as client:
        http = parse_mcp_config(json.dumps({"mcpServers": {"everything": {"url": url}}}),
                                {}).servers  # fmt: skip
        base = url.removesuffix("/mcp")
        rows.append(("baseline: python -c pass",
                     timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True),
                           runs)))  # fmt: skip
        rows.append(("baseline: one HTTP request on loopback",
                     timed(lambda: client.get(base), runs)))  # fmt: skip
        rows.append(("stdio: mcp-server-time", timed(lambda: open_toolbox(stdio), runs)))
        rows.append(("Streamable HTTP: server-everything", timed(lambda: open_toolbox(http), runs)))
        rows.append(("both servers", timed(lambda: open_toolbox(stdio + http), runs)))
        rows.append(("built-in web tools",
                     timed(lambda: WebToolbox(WebPlan(fetch=True), seconds=10).__enter__()
                           .__exit__(None, None, None), runs)))  # fmt: skip
    print(f"Opening and closing one answer's tools, {runs} runs each (median, slowest):")
    for name, (median, slowest) in rows:
        print(f"  {name:<42} {median * 1000:8.1f} ms {slowest * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
