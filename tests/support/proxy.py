"""Debian's HAProxy with the shipped configuration (deploy/haproxy/haproxy.cfg), for the
team tests and the benchmark.

The shipped file finds replicas through Docker's DNS (``server-template``); here the
replicas are processes on loopback ports, so that one line becomes one ``server`` line
per replica. Everything else (sticky cookie, health checks, redispatch, timeouts,
X-Forwarded-For) is the file as shipped.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.support.app_server import ROOT, free_port, stop_process

__all__ = ["SHIPPED_CONFIG", "HAProxy"]

SHIPPED_CONFIG = ROOT / "deploy" / "haproxy" / "haproxy.cfg"
_TEMPLATE = re.compile(r"^\s*server-template .*$", re.MULTILINE)
_LOGGED = re.compile(r" replicas/(?P<server>\S+) .*\"(?P<method>[A-Z]+) (?P<path>\S+)")


def _binary() -> str:
    found = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(found).exists():
        raise RuntimeError("HAProxy is missing: scripts/test installs Debian's haproxy")
    return found


class HAProxy:
    """``haproxy`` in the foreground, balancing ``ports`` (app replicas on loopback)."""

    def __init__(self, ports: list[int], folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        servers = "\n".join(
            f"    server app{n} 127.0.0.1:{port}" for n, port in enumerate(ports, start=1)
        )
        config = _TEMPLATE.sub(servers, SHIPPED_CONFIG.read_text())
        self.config_path = folder / "haproxy.cfg"
        self.config_path.write_text(config)
        self.log_path = folder / "haproxy.log"
        env = dict(
            os.environ,
            CHAT_PROXY_BIND=f"127.0.0.1:{self.port}",
            CHAT_COOKIE_KEY="test-cookie-key-not-real",
            CHAT_REPLICAS=str(len(ports)),
            CHAT_APP_HOST="unused",
        )
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [_binary(), "-db", "-f", str(self.config_path)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_listening()

    def _wait_listening(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"haproxy exited: {self.log_path.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("haproxy did not listen")

    def requests(self) -> list[tuple[str, str]]:
        """(server, path) of every request logged so far (logged as soon as it starts)."""
        self._log.flush()
        return [
            (match["server"], match["path"])
            for line in self.log_path.read_text(errors="replace").splitlines()
            if (match := _LOGGED.search(line))
        ]

    def stop(self) -> None:
        stop_process(self.process, self._log)
