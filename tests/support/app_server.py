"""Runs the app with ``streamlit run`` on a free port, on the address users get."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from streamlit.testing.v1 import AppTest

from chat_core.settings.declarations import ENV_NAMES
from components.sidebar import MODEL_SETTINGS_OPEN

__all__ = ["ROOT", "StreamlitProcess", "free_port", "new_app", "scripted_app", "settings_env"]

ROOT = Path(__file__).resolve().parents[2]

# Every setting the app reads: none may leak in from the developer's environment.
SETTING_NAMES = tuple(ENV_NAMES)

# Health checks go straight to the app, never through a proxy from the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A port free on IPv4 and IPv6 alike.

    With its default address ``streamlit run`` binds ``::`` for both stacks (``0.0.0.0``
    without IPv6), and a port free on 127.0.0.1 may still be taken on ``::``.
    """
    for _ in range(20):
        port = _free_wildcard_port()
        if _bindable(socket.AF_INET, "0.0.0.0", port):
            return port
    raise OSError("no port is free on both IPv4 and IPv6")


def _free_wildcard_port() -> int:
    if socket.has_ipv6:
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
                if hasattr(socket, "IPV6_V6ONLY"):
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                sock.bind(("::", 0))
                return sock.getsockname()[1]
        except OSError:
            pass  # no IPv6 on this machine: Streamlit falls back to 0.0.0.0 as well
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("0.0.0.0", 0))
        return sock.getsockname()[1]


def _bindable(family: socket.AddressFamily, address: str, port: int) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.bind((address, port))
    except OSError:
        return False
    return True


def settings_env(**settings: str) -> dict[str, str]:
    """The current environment without any app setting, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    env["CHAT_DOTENV_FILE"] = os.devnull  # a developer's own .env must not leak in
    env["CHAT_AUTO_TITLES"] = "false"  # no title request racing the ones a test looks at
    env.update(settings)
    return env


class StreamlitProcess:
    """``streamlit run streamlit_app.py`` in a child process.

    No address option: users leave Streamlit's default, so the server listens on IPv4
    and IPv6 and a browser at 127.0.0.1 arrives as ``::ffff:127.0.0.1``. ``url`` is how
    users open it (``http://localhost:PORT``); ``host`` changes it for a test whose
    URLs must all use one name, e.g. a sign-in redirect URI at 127.0.0.1.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        port: int | None = None,
        script: Path | None = None,
        args: tuple[str, ...] = (),
        host: str = "localhost",
    ) -> None:
        self.port = port or free_port()
        self.url_localhost = f"http://localhost:{self.port}"
        self.url_ipv4 = f"http://127.0.0.1:{self.port}"
        self.url = f"http://{host}:{self.port}"
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script or ROOT / "streamlit_app.py"),
            "--server.port",
            str(self.port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
            *args,
        ]
        env = dict(env)
        # Its own data folder unless given one, removed when it stops.
        self._data = None
        if "CHAT_DATA_DIR" not in env:
            self._data = tempfile.TemporaryDirectory(prefix="chat-data-")
            env["CHAT_DATA_DIR"] = self._data.name
        self.log_path = ROOT / "test-artifacts" / f"streamlit-{self.port}.log"
        self.log_path.parent.mkdir(exist_ok=True)
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 90.0) -> StreamlitProcess:
        """Wait until every URL a test may open answers, so a server that listens on
        one stack only fails here, not as a page that never loads."""
        deadline = time.monotonic() + timeout
        waiting = {self.url_ipv4, self.url_localhost, self.url}
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {self.log_path}")
            waiting = {url for url in waiting if not _healthy(url)}
            if not waiting:
                return self
            time.sleep(0.2)
        raise TimeoutError(
            f"streamlit did not answer at {sorted(waiting)} in {timeout} s; see {self.log_path}"
        )

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_process(self.process, self._log)
        if self._data is not None:
            self._data.cleanup()


def stop_process(process: subprocess.Popen, log: IO[bytes]) -> None:
    """Ask a child to end, kill it if it does not within 10 s, close its log."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def scripted_app(model_base_url: str, data: Path) -> StreamlitProcess:
    """The app on its own data folder, answered by the scripted server, ready to use."""
    env = settings_env(
        OPENAI_BASE_URL=model_base_url,
        OPENAI_API_KEY="k",
        CHAT_MODEL="scripted-small",
        CHAT_DATA_DIR=str(data),
    )
    return StreamlitProcess(env).wait_ready()


def _healthy(url: str) -> bool:
    try:
        with _DIRECT.open(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def new_app(*, timeout: float = 90) -> AppTest:
    """The app under Streamlit's AppTest, as a new browser session would run it.

    ``timeout`` bounds each run against a hang; it checks no speed, and a loaded
    two-core machine runs the script several times slower than an idle one.
    """
    return AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)


def open_model_settings(app: AppTest) -> AppTest:
    """``app`` with the sidebar's model settings opened, as a click on the expander does:
    closed, they are not drawn at all."""
    app.session_state[MODEL_SETTINGS_OPEN] = True
    return app
