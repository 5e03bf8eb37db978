"""An import file read in a child process that is stopped when it costs too much.

The file's size is checked first (IMPORT_LIMIT_BYTES), but parsed JSON can take 30
times its size in memory (a file of empty objects), and the app is one process serving
every visitor. So the file is parsed in a child with hard caps on its memory and CPU
time, at a lower priority, killed after a wall-clock timeout; it hands the conversations
back pickled on stdout (made by this code from checked values, read only from it).

Run as ``python -m chat_core.transfer.import_child CPU_SECONDS MEMORY_BYTES`` with the
file on stdin (``read_import_isolated`` does this).
"""

from __future__ import annotations

import logging
import pickle
import subprocess
import sys
import threading
from dataclasses import dataclass

from chat_core.files.child_process import limit_this_process, run_child
from chat_core.transfer.import_files import (
    IMPORT_LIMIT_BYTES,
    ImportRefused,
    ImportResult,
    read_import,
)

__all__ = ["ImportLimits", "read_import_isolated"]

log = logging.getLogger(__name__)

_READERS = threading.BoundedSemaphore(1)  # one import read at a time in this process


@dataclass(frozen=True)
class ImportLimits:
    """What reading one import file may cost; a 45 MB ChatGPT export takes about 1 s and
    250 MB, so only files built to be costly reach these."""

    cpu_seconds: int = 30
    memory_bytes: int = 1536 * 1024**2  # address space, Python's own included
    wall_seconds: float = 60.0


def read_import_isolated(data: bytes, *, limits: ImportLimits | None = None) -> ImportResult:
    """``read_import(data)`` in a limited child; raises ImportRefused as it does, or
    with "too_costly" when the child was stopped."""
    limits = limits or ImportLimits()
    if len(data) > IMPORT_LIMIT_BYTES:
        return read_import(data)  # refused by its size, before anything is parsed
    arguments = [str(limits.cpu_seconds), str(limits.memory_bytes)]
    with _READERS:
        done = run_child(__name__, arguments, data, wall_seconds=limits.wall_seconds)
    if done is None:  # past its time: killed
        raise ImportRefused("too_costly")
    return _result_of(done)


def _result_of(done: subprocess.CompletedProcess[bytes]) -> ImportResult:
    if done.returncode != 0 or not done.stdout:  # killed at a limit, or out of memory
        log.warning("import reader stopped (%s): %s", done.returncode, done.stderr[-500:])
        raise ImportRefused("too_costly")
    outcome = pickle.loads(done.stdout)  # written by this module's child, from checked values
    if isinstance(outcome, ImportRefused):
        raise outcome
    return outcome


# --- In the child process -------------------------------------------------------------


def main(arguments: list[str]) -> None:
    cpu_seconds, memory_bytes = map(int, arguments)
    limit_this_process(cpu_seconds, memory_bytes)
    data = sys.stdin.buffer.read()
    try:
        outcome: ImportResult | ImportRefused = read_import(data)
    except ImportRefused as refused:
        outcome = refused
    del data
    sys.stdout.buffer.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main(sys.argv[1:])
