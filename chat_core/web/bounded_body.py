"""A response's body read up to a bound: a server is a stranger, and its answer costs this
process no more memory than the bound, however much it sends."""

from __future__ import annotations

import httpx

__all__ = ["read_bounded"]


def read_bounded(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of a streamed ``response``, and whether it had more."""
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > limit:
            return bytes(body[:limit]), True
    return bytes(body), False
