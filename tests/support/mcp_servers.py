"""MCP servers nobody here wrote, run for the tests: MCP's reference "everything" server
(npm, installed into tests/mcp by scripts/test) over Streamable HTTP on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.app_server import free_port

__all__ = ["EVERYTHING", "everything_server"]

EVERYTHING = (
    Path(__file__).resolve().parents[1]
    / "mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
)


@contextmanager
def everything_server(*, start_within: float = 60.0) -> Iterator[str]:
    """The server's Streamable HTTP endpoint, ``http://127.0.0.1:PORT/mcp``, while it runs."""
    port = free_port()
    process = subprocess.Popen(
        ["node", str(EVERYTHING), "streamableHttp"],
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + start_within
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server-everything did not start ({EVERYTHING})")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
