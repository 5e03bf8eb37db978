"""Debian's HAProxy with the shipped configuration (deploy/haproxy/haproxy.cfg), for the
team tests and the benchmark.

The shipped file finds replicas through Docker's DNS (``server-template``); here the
replicas are processes on loopback ports, so that one line becomes one ``server`` line
per replica. Everything else (sticky cookie, health checks, redispatch, timeouts,
X-Forwarded-For) is the file as shipped. The tests add only what lets them watch and
play the network: a stats socket (HAProxy's own view of its servers), and on request
a source address for the proxy and a listener that takes each client's address from
the PROXY protocol, as behind a load balancer.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

from tests.support.app_server import ROOT, free_port, stop_process

__all__ = ["SHIPPED_CONFIG", "HAProxy"]

SHIPPED_CONFIG = ROOT / "deploy" / "haproxy" / "haproxy.cfg"
_TEMPLATE = re.compile(r"^\s*server-template .*$", re.MULTILINE)
_GLOBAL = re.compile(r"^global\n", re.MULTILINE)
_BIND = re.compile(r'^(\s*)bind "\$\{CHAT_PROXY_BIND\}"\n', re.MULTILINE)
_LOGGED = re.compile(r" replicas/(?P<server>\S+) .*\"(?P<method>[A-Z]+) (?P<path>\S+)")
_BACKEND = "replicas"


def _binary() -> str:
    found = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(found).exists():
        raise RuntimeError("HAProxy is missing: scripts/test installs Debian's haproxy")
    return found


class HAProxy:
    """``haproxy`` in the foreground, balancing ``ports`` (app replicas on loopback).

    ``source``: the address the proxy connects to the replicas from, as a proxy with
    its own address (deploy/compose.yaml) does; loopback's 127.0.0.1 by default.
    ``proxy_protocol``: a second listener, ``proxied_port``, for clients that say
    their address in the PROXY protocol (``connect_as``).
    """

    def __init__(
        self,
        ports: list[int],
        folder: Path,
        *,
        source: str | None = None,
        proxy_protocol: bool = False,
    ) -> None:
        self.port = free_port()
        self.servers = [f"app{n}" for n in range(1, len(ports) + 1)]
        self.url = f"http://127.0.0.1:{self.port}"
        self.proxied_port = free_port() if proxy_protocol else None
        self.stats_path = folder / "haproxy-stats.sock"
        self.config_path = folder / "haproxy.cfg"
        self.config_path.write_text(self._config(ports, source))
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

    def _config(self, ports: list[int], source: str | None) -> str:
        """The shipped file with loopback replicas and the tests' additions."""
        from_source = f" source {source}" if source else ""
        servers = "\n".join(
            f"    server {name} 127.0.0.1:{port}{from_source}"
            for name, port in zip(self.servers, ports, strict=True)
        )
        config = _TEMPLATE.sub(servers, SHIPPED_CONFIG.read_text())
        config = _GLOBAL.sub(f"global\n    stats socket {self.stats_path} mode 600\n", config)
        if self.proxied_port is not None:
            config = _BIND.sub(
                rf"\g<0>\g<1>bind 127.0.0.1:{self.proxied_port} accept-proxy\n", config
            )
        return config

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

    def server_states(self) -> dict[str, str]:
        """Each replica's state as HAProxy sees it (``UP``, ``DOWN``, ``UP 1/2``...)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stats:
            stats.settimeout(5)
            stats.connect(str(self.stats_path))
            stats.sendall(b"show stat\n")
            answer = b"".join(iter(lambda: stats.recv(65536), b""))
        rows = csv.DictReader(answer.decode().removeprefix("# ").splitlines())
        return {
            row["svname"]: row["status"]
            for row in rows
            if row["pxname"] == _BACKEND and row["svname"] not in ("FRONTEND", "BACKEND")
        }

    def wait_for_servers(
        self, *, up: Iterable[str] = (), down: Iterable[str] = (), timeout: float = 90.0
    ) -> None:
        """Wait until HAProxy itself sees the servers ``up`` as UP and ``down`` as DOWN.

        A replica that answers its own health check is not yet one the proxy sends
        visitors to: that takes two passed checks, two seconds apart (``rise 2``), and
        a dead one is taken out after two failed ones.
        """
        wanted = {**dict.fromkeys(up, "UP"), **dict.fromkeys(down, "DOWN")}
        deadline = time.monotonic() + timeout
        while True:
            states = self.server_states()
            if all(states.get(server) == state for server, state in wanted.items()):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"HAProxy's servers are {states}, not {wanted}")
            time.sleep(0.2)

    def connect_as(self, address: str) -> socket.socket:
        """A connection to ``proxied_port`` that HAProxy takes as coming from ``address``
        (a PROXY protocol header first, as a load balancer in front would send)."""
        assert self.proxied_port is not None, "start HAProxy with proxy_protocol=True"
        connection = socket.create_connection(("127.0.0.1", self.proxied_port), timeout=30)
        family = "TCP6" if ":" in address else "TCP4"
        destination = "::1" if family == "TCP6" else "127.0.0.1"
        header = f"PROXY {family} {address} {destination} 40000 {self.proxied_port}\r\n"
        connection.sendall(header.encode())
        return connection

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
