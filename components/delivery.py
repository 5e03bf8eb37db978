"""Waiting, before a rerun, until what this run drew has gone to its browser.

When a new run of a session starts, Streamlit's server drops every message of that
session it has not sent yet (``AppSession`` clears its queue at ``SCRIPT_STARTED``),
and a run hands its drawing to the server's event loop, which sends it a few ms later
at best and much later under a crowd. A run that ends in ``st.rerun()`` right after it
drew an answer's last words therefore lost them, always (alone: the last batch; with
ten visitors at once: everything since the first words), and the browser saw them only
with the next run's page.

Streamlit has no public way to wait for this, so this module reads the session's
event loop and queue, and does nothing if a version of Streamlit names them otherwise
(or there is no server: AppTest).
"""

from __future__ import annotations

import logging
import threading
import time

from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

__all__ = ["wait_until_sent"]

log = logging.getLogger(__name__)

_LOOK_EVERY = 0.005  # the server's own flush interval (MESSAGE_FLUSH_INTERVAL_SECS)


def wait_until_sent(timeout: float) -> None:
    """Return once the messages this run has drawn are sent, or after ``timeout`` s."""
    session = _app_session()
    loop = getattr(session, "_event_loop", None)
    queue = getattr(session, "_browser_queue", None)
    if loop is None or queue is None or not hasattr(queue, "is_empty"):
        return
    deadline = time.monotonic() + timeout
    handed = threading.Event()
    # The loop runs callbacks in order: once this one runs, every message this run drew
    # before it is in the queue; once the queue is empty, they are on their way.
    try:
        loop.call_soon_threadsafe(handed.set)
    except RuntimeError:  # the server is shutting down
        return
    if not handed.wait(timeout):
        return
    while not queue.is_empty() and time.monotonic() < deadline:
        time.sleep(_LOOK_EVERY)


def _app_session() -> object | None:
    run = get_script_run_ctx()
    if run is None or not runtime.exists():
        return None
    manager = getattr(runtime.get_instance(), "_session_mgr", None)
    try:
        info = manager.get_session_info(run.session_id) if manager is not None else None
    except Exception:  # an internal that changed: wait for nothing
        log.debug("no session to wait for", exc_info=True)
        return None
    return getattr(info, "session", None)
