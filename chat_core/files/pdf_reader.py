"""A PDF's text, read in a child process that is stopped when the file costs too much.

A small PDF can cost minutes of CPU (thousands of pages drawn by one heavy content
stream) or gigabytes of memory, and the app is one process serving every visitor:
read there, one such file slows everyone's answers. The child limits its own CPU
time and address space before it reads a byte, runs at a lower priority, and is
killed after a wall-clock timeout; it hands back JSON on stdout.

Run as ``python -m chat_core.files.pdf_reader BUDGET PAGES CPU_SECONDS MEMORY_BYTES``
with the PDF on stdin (``read_pdf`` does this).
"""

from __future__ import annotations

import enum
import io
import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from chat_core.files.child_process import limit_this_process, run_child
from chat_core.markdown.visitor_text import clean_user_text

if TYPE_CHECKING:
    from pypdf import PdfReader

__all__ = ["PdfLimits", "PdfProblem", "PdfResult", "read_pdf"]

log = logging.getLogger(__name__)

# One PDF read at a time per spare core, so a flood of PDFs cannot take every core.
_READERS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) - 1))


@dataclass(frozen=True)
class PdfLimits:
    """What reading one PDF may cost.

    Reading stops at the message's text budget, which an ordinary PDF fills in
    well under a second; the limits only stop files built to be costly.
    """

    pages: int = 500
    cpu_seconds: int = 10
    memory_bytes: int = 1024**3  # address space: Python and pypdf take about 60 MB of it
    wall_seconds: float = 20.0


class PdfProblem(enum.StrEnum):
    ENCRYPTED = "encrypted"
    NO_TEXT = "no_text"
    UNREADABLE = "unreadable"  # damaged
    TOO_MANY_PAGES = "too_many_pages"
    TOO_COSTLY = "too_costly"  # stopped for its CPU, memory or time


@dataclass(frozen=True)
class PdfResult:
    """The text read, or why there is none.

    ``length`` is the text's length; when it is over the budget, the text itself
    is left out (it would only be refused, and it could be large).
    """

    text: str = ""
    length: int = 0
    pages: int = 0
    problem: PdfProblem | None = None


def read_pdf(data: bytes, *, budget: int, limits: PdfLimits) -> PdfResult:
    """Read ``data`` in a limited child process; returns when it is done or killed."""
    arguments = [str(n) for n in (budget, limits.pages, limits.cpu_seconds, limits.memory_bytes)]
    with _READERS:
        done = run_child(
            "chat_core.files.pdf_reader", arguments, data, wall_seconds=limits.wall_seconds
        )
    if done is None:  # past its time: killed
        return PdfResult(problem=PdfProblem.TOO_COSTLY)
    return _result_of(done)


def _result_of(done: subprocess.CompletedProcess[bytes]) -> PdfResult:
    if done.returncode < 0:  # killed by a signal: SIGXCPU or SIGKILL at the CPU limit
        return PdfResult(problem=PdfProblem.TOO_COSTLY)
    try:
        found = json.loads(done.stdout)
        problem = PdfProblem(found["problem"]) if found["problem"] else None
        return PdfResult(found["text"], found["length"], found["pages"], problem)
    except (ValueError, KeyError, TypeError):
        log.warning(
            "PDF reader exited %s without a result: %s",
            done.returncode,
            done.stderr[-2000:].decode(errors="replace"),
        )
        return PdfResult(problem=PdfProblem.UNREADABLE)


# --- In the child process -------------------------------------------------------------


def _clean(text: str) -> str:
    return clean_user_text(text.replace("\r\n", "\n"))


def _text_of(reader: PdfReader, budget: int) -> PdfResult:
    """The pages' text, read until the budget is spent (as the app counts it)."""
    pages: list[str] = []
    length = 0
    for page in reader.pages:
        pages.append(_clean(page.extract_text() or ""))
        length += len(pages[-1])
        if length > budget:
            break
    text = "\n\n".join(page for page in pages if page)
    if not text:
        return PdfResult(pages=len(pages), problem=PdfProblem.NO_TEXT)
    if len(text) > budget:
        return PdfResult(length=len(text), pages=len(pages))
    return PdfResult(text=text, length=len(text), pages=len(pages))


def extract(data: bytes, *, budget: int, max_pages: int) -> PdfResult:
    """Read ``data`` here, in this process: only the child calls this."""
    from pypdf import PdfReader  # here: the server process never needs it

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return PdfResult(problem=PdfProblem.ENCRYPTED)
        count = len(reader.pages)
        if count > max_pages:
            return PdfResult(pages=count, problem=PdfProblem.TOO_MANY_PAGES)
        return _text_of(reader, budget)
    except MemoryError:
        return PdfResult(problem=PdfProblem.TOO_COSTLY)
    except Exception:  # pypdf raises many kinds of error on damaged files
        return PdfResult(problem=PdfProblem.UNREADABLE)


def main(arguments: list[str]) -> None:
    budget, max_pages, cpu_seconds, memory_bytes = map(int, arguments)
    limit_this_process(cpu_seconds, memory_bytes)
    logging.disable(logging.CRITICAL)  # pypdf's warnings about odd files are no result
    result = extract(sys.stdin.buffer.read(), budget=budget, max_pages=max_pages)
    sys.stdout.buffer.write(json.dumps(asdict(result)).encode())


if __name__ == "__main__":
    main(sys.argv[1:])
