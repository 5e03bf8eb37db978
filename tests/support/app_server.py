"""Runs the app with ``streamlit run`` on a free loopback port, as a user would."""

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

from streamlit.testing.v1 import AppTest

from chat_core.settings import ENV_NAMES

__all__ = ["ROOT", "StreamlitProcess", "free_port", "new_app", "settings_env"]

ROOT = Path(__file__).resolve().parents[2]

# Every setting the app reads: none may leak in from the developer's environment.
SETTING_NAMES = tuple(ENV_NAMES)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings_env(**settings: str) -> dict[str, str]:
    """The current environment without any app setting, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    env["CHAT_DOTENV_FILE"] = os.devnull  # a developer's own .env must not leak in
    env.setdefault("CHAT_DATA_DIR", tempfile.mkdtemp(prefix="chat-data-"))
    env.update(settings)
    return env


class StreamlitProcess:
    """``streamlit run streamlit_app.py`` in a child process."""

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        port: int | None = None,
        script: Path | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script or ROOT / "streamlit_app.py"),
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
            *args,
        ]
        self.log_path = ROOT / "test-artifacts" / f"streamlit-{self.port}.log"
        self.log_path.parent.mkdir(exist_ok=True)
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=dict(env), stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60.0) -> StreamlitProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"streamlit did not start in {timeout} s; see {self.log_path}")

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def new_app(*, timeout: float = 30) -> AppTest:
    """The app under Streamlit's AppTest, as a new browser session would run it."""
    return AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
