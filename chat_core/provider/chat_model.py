"""The chat model, built from settings for one answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

import httpx
import openai

from chat_core.provider.thinking_model import ThinkingChatOpenAI
from chat_core.settings.settings import Settings

__all__ = ["PLACEHOLDER_API_KEY", "is_reasoning_model", "make_chat_model", "reporting_retries"]

# OpenAI's reasoning models (o-series, the gpt-5 family but its chat models, and later):
# they think before answering, count that in max tokens, take a reasoning effort, and
# accept no temperature but their own.
_REASONING_MODEL = re.compile(r"^(o\d|gpt-[5-9](?!.*-chat))", re.IGNORECASE)

# Local OpenAI-compatible servers (Ollama, vLLM, LM Studio) ignore the key, but the
# openai client insists on one.
PLACEHOLDER_API_KEY = "not-needed"

# Statuses the openai client retries by itself (with backoff and Retry-After).
_RETRIED = frozenset({408, 409, 429})
# Who wants to hear of a retryable answer in this context (the page streaming it).
_retry_listener: ContextVar[Callable[[int], None] | None] = ContextVar(
    "retry_listener", default=None
)


@contextmanager
def reporting_retries(listener: Callable[[int], None]) -> Iterator[None]:
    """Within this block, ``listener(status)`` hears of every response the openai client
    will retry, so the page can say it is retrying instead of showing only a cursor."""
    token = _retry_listener.set(listener)
    try:
        yield
    finally:
        _retry_listener.reset(token)


def _report_retryable(response: httpx.Response) -> None:
    listener = _retry_listener.get()
    status = response.status_code
    if listener is not None and (status in _RETRIED or status >= 500):
        listener(status)


@cache
def _http_client() -> httpx.Client:
    """One connection pool per process, as langchain-openai keeps by default; it holds no
    key (each request carries its own), and reports retryable responses to the page."""
    return openai.DefaultHttpxClient(event_hooks={"response": [_report_retryable]})


def is_reasoning_model(model: str) -> bool:
    return bool(_REASONING_MODEL.match(model.strip()))


def make_chat_model(settings: Settings) -> ThinkingChatOpenAI:
    """A streaming ``ChatOpenAI`` for ``settings``, keeping a thinking model's reasoning.

    Cheap to build per answer: the HTTP connection pool is shared and holds no key,
    so a visitor's key lives only in the object made for their own request.
    """
    reasoning = is_reasoning_model(settings.model)
    options = {"reasoning_effort": settings.reasoning_effort} if reasoning else {}
    return ThinkingChatOpenAI(
        model=settings.model,
        api_key=settings.api_key or PLACEHOLDER_API_KEY,
        base_url=settings.base_url,
        temperature=None if reasoning else settings.temperature,
        **{k: v for k, v in options.items() if v},
        max_tokens=settings.max_tokens,
        timeout=settings.request_timeout,
        max_retries=settings.max_retries,
        streaming=True,
        # Ask for the usage chunk at the end of the stream; servers without one
        # ignore the option, and the answer's tokens are then counted here.
        stream_usage=True,
        http_client=_http_client(),
    )
