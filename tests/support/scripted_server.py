"""A scripted OpenAI-compatible HTTP server on loopback, for tests and benchmarks only.

It speaks real HTTP/1.1 with chunked Server-Sent Events, records every request,
and replies from a script: by default it echoes the last user message, so
concurrent visitors can each recognise their own answer.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.embeddings import embed

__all__ = [
    "RecordedRequest",
    "Reply",
    "ScriptedCall",
    "ScriptedModelServer",
    "echo_script",
    "tokenize",
]

_TOKEN = re.compile(r"\s*\S{1,4}|\s+", re.DOTALL)


def tokenize(text: str) -> list[str]:
    """Split ``text`` into token-like pieces that join back to exactly ``text``."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class ScriptedCall:
    """A tool call the scripted model makes; ``arguments`` is sent as it is (bad JSON too)."""

    name: str
    arguments: str = "{}"
    id: str = ""


@dataclass
class Reply:
    """What the server does for one request."""

    tokens: list[str] = field(default_factory=list)
    tokens_per_second: float | None = None  # None: as fast as possible
    first_token_delay: float = 0.0
    status: int = 200
    error: dict[str, Any] | None = None  # the JSON error body for a non-200 status
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: int | None = None  # drop the connection after this many tokens
    stall_after: int | None = None  # stop sending (but keep the socket) after N tokens
    stall_seconds: float = 30.0
    malformed_after: int | None = None  # send a broken SSE line after N tokens
    end_without_done: bool = False  # end the body cleanly, but with no finish/[DONE]
    finish_reason: str = "stop"
    send_usage: bool = True  # answer stream_options.include_usage (many servers do not)
    raw_chunks: list[bytes] | None = None  # exact bytes of the SSE body (split anywhere)
    send_done: bool = True  # end raw_chunks with data: [DONE] (transformers serve sends none)
    raw_interval: float = 0.0  # seconds between raw_chunks, to pace a replayed stream
    tool_calls: list[ScriptedCall] = field(default_factory=list)  # after the tokens
    argument_pieces: int = 3  # each call's arguments split across this many chunks
    whole_calls: bool = False  # Ollama's shape: every call whole, in one chunk

    @classmethod
    def text(cls, text: str, **options: Any) -> Reply:
        return cls(tokens=tokenize(text), **options)

    @classmethod
    def calls(cls, *calls: ScriptedCall, **options: Any) -> Reply:
        """A reply that asks for ``calls`` (ids made up where not given)."""
        named = [
            c if c.id else ScriptedCall(c.name, c.arguments, f"call_{n}")
            for n, c in enumerate(calls)
        ]
        return cls(tool_calls=named, finish_reason="tool_calls", **options)

    @classmethod
    def failure(cls, status: int, message: str = "scripted failure", **options: Any) -> Reply:
        error = {"message": message, "type": "scripted", "code": options.pop("code", None)}
        return cls(status=status, error={"error": error}, **options)

    @classmethod
    def split_bytes(cls, pieces: list[str], *, every: int) -> Reply:
        """An SSE body carrying ``pieces``, cut every ``every`` bytes (inside characters too)."""
        events = b"".join(
            _sse({"choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]})
            for p in pieces
        )
        return cls(raw_chunks=[events[i : i + every] for i in range(0, len(events), every)])

    @property
    def content(self) -> str:
        return "".join(self.tokens)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return (self.body or {}).get("messages", [])


def last_user_text(body: dict[str, Any] | None) -> str:
    for message in reversed((body or {}).get("messages", [])):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            texts = [part["text"] for part in content if part.get("type") == "text"]
            images = sum(part.get("type") == "image_url" for part in content)
            return " ".join([*texts, *(["[image]"] * images)])
    return ""


def echo_script(body: dict[str, Any] | None) -> Reply:
    return Reply.text(f"Echo: {last_user_text(body)}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        # A client that stops reading (the visitor pressed Stop) is not an error.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def _read_body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw else None

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        owner = self.server.owner
        owner._record(self, None)
        if self.path.rstrip("/").endswith("/models"):
            lengths = owner.context_lengths
            data = [
                {"id": m, "object": "model", "owned_by": "scripted"}
                | ({"max_model_len": lengths[m]} if m in lengths else {})
                for m in owner.models
            ]
            self._send_json(200, {"object": "list", "data": data})
        else:
            self._send_json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        owner = self.server.owner
        body = self._read_body()
        owner._record(self, body)
        if self.path.rstrip("/").endswith("/embeddings"):
            self._send_json(200, _embeddings(body or {}))
            return
        reply = owner._next_reply(body)
        if reply.first_token_delay:
            time.sleep(reply.first_token_delay)
        if reply.status != 200:
            self._send_json(reply.status, reply.error or {}, reply.headers)
            return
        if (body or {}).get("stream"):
            self._stream(body or {}, reply)
        else:
            self._send_json(200, _completion(body or {}, reply))

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _stream(self, body: dict[str, Any], reply: Reply) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if reply.raw_chunks is not None:
            for raw in reply.raw_chunks:
                self._write_chunk(raw)
                time.sleep(reply.raw_interval)
            if reply.send_done:
                self._write_chunk(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        model = body.get("model", "scripted")
        interval = 1.0 / reply.tokens_per_second if reply.tokens_per_second else 0.0
        self._write_chunk(_sse(_chunk(model, {"role": "assistant", "content": ""})))
        start = time.perf_counter()
        for index, token in enumerate(reply.tokens):
            if index == reply.cut_after:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if index == reply.stall_after:
                time.sleep(reply.stall_seconds)
            if index == reply.malformed_after:
                self._write_chunk(b"data: {not json\n\n")
            if interval:
                # Pace by the clock, not by sleeps, so the rate holds under load.
                delay = start + index * interval - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            self._write_chunk(_sse(_chunk(model, {"content": token})))
        for delta in _tool_call_deltas(reply):
            self._write_chunk(_sse(_chunk(model, delta)))
        if reply.end_without_done:
            self.wfile.write(b"0\r\n\r\n")
            return
        self._write_chunk(_sse(_chunk(model, {}, finish_reason=reply.finish_reason)))
        if reply.send_usage and (body.get("stream_options") or {}).get("include_usage"):
            self._write_chunk(_sse(_usage_chunk(model, body, reply)))
        self._write_chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def _tool_call_deltas(reply: Reply) -> list[dict[str, Any]]:
    """The deltas that stream ``reply``'s tool calls, as OpenAI sends them (a call's name
    first, then its arguments in pieces, call after call) or all whole at once (Ollama)."""
    if reply.whole_calls:
        return [
            {
                "tool_calls": [
                    _call_delta(n, call, call.arguments) for n, call in enumerate(reply.tool_calls)
                ]
            }
        ]
    deltas = []
    for index, call in enumerate(reply.tool_calls):
        deltas.append({"tool_calls": [_call_delta(index, call, "")]})
        step = max(1, -(-len(call.arguments) // max(1, reply.argument_pieces)))
        for start in range(0, len(call.arguments), step):
            piece = call.arguments[start : start + step]
            deltas.append({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    return deltas


def _call_delta(index: int, call: ScriptedCall, arguments: str) -> dict[str, Any]:
    function = {"name": call.name, "arguments": arguments}
    return {"index": index, "id": call.id, "type": "function", "function": function}


def _sse(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


def _chunk(model: str, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def _usage(body: dict[str, Any], reply: Reply) -> dict[str, int]:
    prompt_tokens = sum(len(tokenize(str(m.get("content", "")))) for m in body.get("messages", []))
    completion_tokens = len(reply.tokens)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _usage_chunk(model: str, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    chunk = _chunk(model, {})
    chunk["choices"] = []
    chunk["usage"] = _usage(body, reply)
    return chunk


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.tool_calls:
        message["tool_calls"] = [
            {k: v for k, v in _call_delta(n, c, c.arguments).items() if k != "index"}
            for n, c in enumerate(reply.tool_calls)
        ]
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "scripted"),
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
        "usage": _usage(body, reply),
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many clients connect at once in the load benchmarks; socketserver's default backlog
    # of 5 drops their SYNs, which TCP retries only a second later.
    request_queue_size = 256
    owner: ScriptedModelServer


class ScriptedModelServer:
    """Use as ``with ScriptedModelServer() as server:``; clients go to ``server.base_url``."""

    def __init__(
        self,
        script: Callable[[dict[str, Any] | None], Reply] = echo_script,
        *,
        models: tuple[str, ...] = ("scripted-small", "scripted-large"),
    ) -> None:
        self.script = script
        self.models = models
        # A model's context length, listed as vLLM lists it (max_model_len); none: unlisted.
        self.context_lengths: dict[str, int] = {}
        self._queued: deque[Reply] = deque()
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def queue(self, *replies: Reply) -> None:
        """Use these replies, in order, for the next requests; then the script again."""
        with self._lock:
            self._queued.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._queued.clear()
            self._requests.clear()
        self.script = echo_script
        self.context_lengths = {}

    def _record(self, handler: _Handler, body: dict[str, Any] | None) -> None:
        headers = {name.lower(): value for name, value in handler.headers.items()}
        request = RecordedRequest(handler.command, handler.path, headers, body)
        with self._lock:
            self._requests.append(request)

    def _next_reply(self, body: dict[str, Any] | None) -> Reply:
        with self._lock:
            if self._queued:
                return self._queued.popleft()
        return self.script(body)

    def start(self) -> ScriptedModelServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ScriptedModelServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _embeddings(body: dict[str, Any]) -> dict[str, Any]:
    """``/v1/embeddings`` as OpenAI answers it, deterministic (tests/support/embeddings.py);
    as base64 float32 when asked (the openai client asks by default)."""
    texts = body.get("input", [])
    texts = [texts] if isinstance(texts, str) else list(texts)
    data = []
    for index, text in enumerate(texts):
        vector = embed(str(text))
        if body.get("encoding_format") == "base64":
            packed = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": packed})
        else:
            data.append({"object": "embedding", "index": index, "embedding": vector})
    tokens = sum(len(tokenize(str(text))) for text in texts)
    return {"object": "list", "data": data, "model": body.get("model", "scripted-embed"),
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}  # fmt: skip
