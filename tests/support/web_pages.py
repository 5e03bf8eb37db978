"""A scripted web on loopback for the built-in web tools: a search provider answering in
SearXNG's, Tavily's and Brave's shapes, and pages (HTML, text, a redirect, a picture,
one too large). It records every request, so a test can say what was never asked."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

__all__ = ["RAMEN_PAGE", "ScriptedWeb", "scripted_web"]

RAMEN_PAGE = """<!doctype html>
<html><head><title>Ramen near Tokyo Station</title>
<style>body { color: red }</style><script>document.write("never read")</script></head>
<body><nav>Home | Menu | Login</nav>
<h1>Ramen near Tokyo Station</h1>
<p>Rokurinsha opens at 7:30 and serves tsukemen.</p>
<p>東京駅のラーメンストリートには八つの店があります。</p>
<footer>© the scripted web</footer></body></html>"""


@dataclass
class SeenRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class ScriptedWeb:
    url: str  # http://127.0.0.1:PORT
    requests: list[SeenRequest] = field(default_factory=list)
    status: int = 200  # what the search provider answers

    def page(self, name: str) -> str:
        return f"{self.url}/pages/{name}"

    def hits(self) -> list[dict[str, str]]:
        return [
            {"title": "Ramen near Tokyo Station", "url": self.page("ramen.html"),
             "content": "Rokurinsha opens at 7:30."},
            {"title": "Tsukemen <strong>guide</strong>", "url": "https://example.org/tsukemen",
             "content": "Dipping noodles, explained."},
            {"title": "not a link", "url": "javascript:alert(1)", "content": "left out"},
        ]  # fmt: skip


@contextmanager
def scripted_web() -> Iterator[ScriptedWeb]:
    web = ScriptedWeb("")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def _answer(self, method: str) -> None:
            parts = urlsplit(self.path)
            size = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(size) if size else b""
            web.requests.append(SeenRequest(method, parts.path, parse_qs(parts.query),
                                            dict(self.headers), body))  # fmt: skip
            if parts.path.startswith("/pages/"):
                self._page(parts.path.removeprefix("/pages/"), parse_qs(parts.query))
            elif parts.path in ("/search", "/res/v1/web/search"):
                self._search(parts.path)
            else:
                self._send(404, "text/plain", b"not here")

        def _search(self, path: str) -> None:
            if web.status != 200:
                self._send(web.status, "application/json", b'{"error": "no"}')
                return
            hits = web.hits()
            if path == "/res/v1/web/search":  # Brave
                results = [{"title": h["title"], "url": h["url"], "description": h["content"]}
                           for h in hits]  # fmt: skip
                shaped = {"web": {"results": results}}
            else:  # SearXNG and Tavily
                shaped = {"results": hits}
            self._send(200, "application/json", json.dumps(shaped).encode())

        def _page(self, name: str, query: dict[str, list[str]]) -> None:
            if name == "ramen.html":
                self._send(200, "text/html; charset=utf-8", RAMEN_PAGE.encode())
            elif name == "notes.txt":
                self._send(200, "text/plain; charset=utf-8", b"plain  notes\n\n\n\nend")
            elif name == "redirect":
                self.send_response(302)
                self.send_header("Location", query["to"][0])
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif name == "odd-charset.txt":
                self._send(200, "text/plain; charset=no-such-codec", "caf\u00e9".encode())
            elif name == "picture.png":
                self._send(200, "image/png", b"\x89PNG\r\n\x1a\n")
            elif name == "huge.html":
                self._send(200, "text/html", b"<p>" + b"word " * 600_000 + b"</p>")
            else:
                self._send(404, "text/plain", b"no such page")

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    web.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield web
    finally:
        server.shutdown()
        server.server_close()
