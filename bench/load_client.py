"""A load client that speaks Streamlit's websocket protocol, like a browser tab does.

Each ``ChatSession`` opens the app's websocket, runs the page, and submits chat
messages through the chat input's widget state, reading the answer from the
``ForwardMsg`` deltas. Used by the benchmark only.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

__all__ = ["ChatSession", "TurnResult", "at_once"]


@dataclass
class TurnResult:
    ttft: float | None  # seconds from sending to the first delta that shows the answer
    total: float  # seconds until the answer is complete (its run finished)
    texts: list[str] = field(default_factory=list)  # every Markdown text received
    last: float | None = None  # seconds to the first delta that shows ``until`` (its end)


class ChatSession:
    def __init__(
        self,
        url: str,
        *,
        timeout: float = 60.0,
        query_string: str = "",
        headers: Mapping[str, str] | None = None,
        sock: socket.socket | None = None,
    ) -> None:
        """``headers`` go with the websocket's request; ``sock``: a connection already
        open to ``url``'s server (e.g. one that spoke the PROXY protocol first)."""
        ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self._ws = connect(
            ws_url,
            subprotocols=["streamlit"],
            origin=url,
            max_size=None,
            open_timeout=timeout,
            additional_headers=headers,
            sock=sock,
        )
        self._timeout = timeout
        self._page_hash = ""
        self._chat_input_id: str | None = None
        self.bytes_received = 0
        self.query_string = query_string  # the page's address, as the app last set it
        self._send(BackMsg(rerun_script={"query_string": query_string, "page_script_hash": ""}))
        self.first_run = self._read_run()

    def _send(self, message: BackMsg) -> None:
        self._ws.send(message.SerializeToString())

    def _messages(self, deadline: float):
        while True:
            data = self._ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            self.bytes_received += len(data)
            message = ForwardMsg()
            message.ParseFromString(data)
            yield message

    def _read_run(
        self, *, watch: str | None = None, until: str | None = None, runs: int = 1
    ) -> TurnResult:
        """Read messages until ``runs`` script runs have finished."""
        start = time.monotonic()
        deadline = start + self._timeout
        first: float | None = None
        last: float | None = None
        texts: list[str] = []
        for message in self._messages(deadline):
            kind = message.WhichOneof("type")
            if kind == "new_session" and message.new_session.page_script_hash:
                self._page_hash = message.new_session.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = message.page_info_changed.query_string
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                which = element.WhichOneof("type")
                if which == "chat_input":
                    self._chat_input_id = element.chat_input.id
                elif which == "markdown":
                    texts.append(element.markdown.body)
                    if first is None and watch and watch in element.markdown.body:
                        first = time.monotonic() - start
                    if last is None and until and until in element.markdown.body:
                        last = time.monotonic() - start
            elif kind == "script_finished":
                runs -= 1
                if runs == 0:
                    return TurnResult(first, time.monotonic() - start, texts, last)

    def read(self, *, watch: str | None = None, runs: int = 1) -> TurnResult:
        """Read what the app sends until ``runs`` script runs have finished."""
        return self._read_run(watch=watch, runs=runs)

    def open_page(self, name: str) -> TurnResult:
        """Go to the page at ``name`` (its url path), as a click in the menu does."""
        self._send(BackMsg(rerun_script={"page_name": name, "query_string": ""}))
        return self._read_run()

    def submit(self, text: str) -> None:
        """Submit ``text`` in the chat input without waiting for anything."""
        assert self._chat_input_id, "the page has no chat input"
        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash = self._page_hash
        state.query_string = self.query_string
        widget = state.widget_states.widgets.add()
        widget.id = self._chat_input_id
        widget.chat_input_value.data = text
        self._send(message)

    def wait_for(self, text: str, timeout: float) -> bool:
        """Read until a Markdown text containing ``text`` arrives (or ``timeout``)."""
        return self.first_of(text, timeout=timeout) is not None

    def first_of(self, *texts: str, timeout: float) -> str | None:
        """Read until a Markdown text or an alert (an error shown in the page) contains
        one of ``texts``; that one, or None after ``timeout``."""
        deadline = time.monotonic() + timeout
        try:
            return self._first_of(texts, deadline)
        except TimeoutError:
            return None

    def _first_of(self, texts: tuple[str, ...], deadline: float) -> str | None:
        for message in self._messages(deadline):
            if message.WhichOneof("type") == "page_info_changed":
                self.query_string = message.page_info_changed.query_string
            elif message.WhichOneof("type") == "delta":
                body = _shown_text(message.delta.new_element)
                found = next((text for text in texts if text in body), None)
                if found is not None:
                    return found
            if time.monotonic() > deadline:
                return None

    def send_and_keep(self, text: str, *, runs: int = 2) -> list[ForwardMsg]:
        """Submit ``text``; every message the app sends until ``runs`` runs finished."""
        self.submit(text)
        kept: list[ForwardMsg] = []
        for message in self._messages(time.monotonic() + self._timeout):
            kept.append(message)
            if message.WhichOneof("type") == "script_finished":
                runs -= 1
                if runs == 0:
                    break
        return kept

    def send(self, text: str, *, watch: str, until: str | None = None, runs: int = 2) -> TurnResult:
        """Submit ``text`` in the chat input; time the first delta containing ``watch``
        (and the first containing ``until``, the answer's end).

        ``runs``: the app answers in one run, then reruns once to redraw.
        """
        assert self._chat_input_id, "the page has no chat input"
        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash = self._page_hash
        widget = state.widget_states.widgets.add()
        widget.id = self._chat_input_id
        widget.chat_input_value.data = text
        self._send(message)
        return self._read_run(watch=watch, until=until, runs=runs)

    def close(self) -> None:
        self._ws.close()


def _shown_text(element) -> str:
    """The text of a Markdown element or an alert; empty for anything else."""
    which = element.WhichOneof("type")
    if which == "markdown":
        return element.markdown.body
    if which == "alert":
        return element.alert.body
    return ""


def at_once(visitors: int, visit: Callable[[int], object]) -> None:
    """``visit(n)`` for each of ``visitors``, each in its own thread, all released at
    the same moment (a barrier); returns when all are done."""
    barrier = threading.Barrier(visitors)

    def visitor(n: int) -> None:
        barrier.wait()
        visit(n)

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(visitors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
