"""Streamed chat completions as plain dicts: the openai client without a model per chunk.

The openai client builds a pydantic ``ChatCompletionChunk`` for every streamed chunk
(``construct_type``, about three quarters of its CPU per chunk), and ``ChatOpenAI``
dumps each one straight back to a dict (``chunk.model_dump()``); dicts are a
first-class input of its chunk conversion. One Streamlit process streams every
visitor's answer under one GIL, so that round trip decides how many people can chat
at once.

``DictChunkCompletions`` stands in for ``client.chat.completions`` and sends a streamed
request through the client's public low-level ``post`` (the one its README gives for
endpoints it has no method for) with ``cast_to=object``: the same client, connection
pool, retries with backoff, timeouts, error types and ``error`` events in the stream,
but each chunk arrives as the JSON object the server sent. Everything else (a
non-streamed call, ``with_raw_response``) goes to the real resource.
"""

from __future__ import annotations

from typing import Any

import openai

__all__ = ["DictChunkCompletions"]

# ``create`` keyword arguments that are request options, not body fields.
_OPTIONS = {
    "extra_headers": "headers",
    "extra_query": "params",
    "extra_body": "extra_json",
    "timeout": "timeout",
}


class DictChunkCompletions:
    """``client.chat.completions`` whose streamed ``create`` yields dict chunks."""

    def __init__(self, client: openai.OpenAI) -> None:
        self._client = client
        self._completions = client.chat.completions

    def create(self, **params: Any) -> Any:
        if not params.get("stream"):
            return self._completions.create(**params)
        options = {
            option: params.pop(name)
            for name, option in _OPTIONS.items()
            if params.get(name) is not None
        }
        for name in _OPTIONS:
            params.pop(name, None)
        return self._client.post(
            "/chat/completions",
            body=params,
            options=options,
            cast_to=object,
            stream=True,
            stream_cls=openai.Stream[object],
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._completions, name)
