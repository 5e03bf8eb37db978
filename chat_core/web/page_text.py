"""The text of a web page the model asked to read: fetched through a client that reaches
public addresses only (redirects too), bounded in bytes and time, HTML turned into text
by a parser (scripts, styles and navigation left out), never run or shown as HTML."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from bs4 import BeautifulSoup

from chat_core.web.address_guard import refusal_of
from chat_core.web.bounded_body import read_bounded

__all__ = ["MAX_PAGE_BYTES", "MAX_REDIRECTS", "PageError", "PageText", "read_page"]

MAX_PAGE_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 5
_ACCEPT = "text/html, text/plain;q=0.9, */*;q=0.1"
_MAX_TEXT_CHARS = 200_000
_URL_CHARS = 2_000
_TITLE_CHARS = 300
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "text/markdown", "text/csv", "application/json", "text/xml")
_LEFT_OUT = ("script", "style", "noscript", "template", "svg", "iframe", "object", "nav",
             "footer", "aside", "form", "head")  # fmt: skip


class PageError(RuntimeError):
    """The page could not be read; the text says why."""


@dataclass(frozen=True)
class PageText:
    url: str  # where it was read, after redirects
    title: str
    text: str
    cut: bool = False  # the page was longer than was read


def read_page(url: str, *, client: httpx.Client) -> PageText:
    """The text of the page at ``url``. ``client`` is a guarded one (address_guard)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise PageError("not a web address") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > _URL_CHARS:
        raise PageError("only http:// and https:// addresses are read")
    try:
        with client.stream("GET", url.strip(), follow_redirects=True,
                           headers={"Accept": _ACCEPT}) as response:  # fmt: skip
            body, cut = _body(response)
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            charset = response.charset_encoding
            final_url = str(response.url)
    except httpx.ConnectError as exc:
        refused = refusal_of(exc)
        why = f"not read: {refused}" if refused else "the page could not be reached (ConnectError)"
        raise PageError(why) from None
    except httpx.TooManyRedirects:
        raise PageError(f"more than {MAX_REDIRECTS} redirects") from None
    except httpx.TimeoutException:
        raise PageError("the page did not answer in time") from None
    except httpx.HTTPError as exc:
        raise PageError(f"the page could not be reached ({type(exc).__name__})") from None
    charset = _known_codec(charset)
    if kind in _HTML_TYPES or (not kind and body.lstrip()[:1] == b"<"):
        title, text = _html_text(body, charset)
    elif kind in _TEXT_TYPES or kind.startswith("text/"):
        title, text = "", body.decode(charset or "utf-8", errors="replace")
    else:
        raise PageError(f"not a web page ({kind or 'no type'})")
    text = _tidy(text)
    return PageText(final_url, title or (urlsplit(final_url).hostname or ""),
                    text[:_MAX_TEXT_CHARS], cut or len(text) > _MAX_TEXT_CHARS)  # fmt: skip


def _known_codec(charset: str | None) -> str | None:
    """The page's charset if Python knows it (a server may name anything)."""
    if not charset:
        return None
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def _body(response: httpx.Response) -> tuple[bytes, bool]:
    if response.status_code != 200:
        raise PageError(f"the page answered HTTP {response.status_code}")
    return read_bounded(response, MAX_PAGE_BYTES)


def _html_text(body: bytes, charset: str | None) -> tuple[str, str]:
    soup = BeautifulSoup(body, "html.parser", from_encoding=charset)
    title = " ".join(soup.title.get_text().split())[:_TITLE_CHARS] if soup.title else ""
    for element in soup(_LEFT_OUT):
        element.decompose()
    return title, soup.get_text("\n")


def _tidy(text: str) -> str:
    """Each line's spaces collapsed, runs of blank lines made one."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()
