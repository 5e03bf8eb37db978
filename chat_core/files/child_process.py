"""Limits a child process puts on itself before it reads a hostile file (a PDF, an
import): hard caps on its CPU time and address space, no core file, a lower priority."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["child_environment", "limit_this_process", "run_child"]

_ROOT = Path(__file__).resolve().parents[2]  # where ``-m chat_core...`` is found

# Environment a child gets: no API keys or database URLs for code parsing hostile files.
_CHILD_ENVIRONMENT = ("PATH", "PYTHONPATH")


def limit_this_process(cpu_seconds: int, memory_bytes: int) -> None:
    """Limits this process cannot raise again (Unix only, like the children)."""
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    os.nice(10)  # the app's own threads come first


def child_environment() -> dict[str, str]:
    return {name: os.environ[name] for name in _CHILD_ENVIRONMENT if name in os.environ}


def run_child(
    module: str, arguments: list[str], data: bytes, *, wall_seconds: float
) -> subprocess.CompletedProcess[bytes] | None:
    """``python -m module arguments`` with ``data`` on stdin and a bare environment;
    None when it ran past ``wall_seconds`` (it has been killed)."""
    try:
        return subprocess.run(
            [sys.executable, "-m", module, *arguments],
            input=data,
            capture_output=True,
            cwd=_ROOT,
            env=child_environment(),
            timeout=wall_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
