"""Finding an OpenAI-compatible server on its usual local address (Ollama), the models
a server lists, and which one to use when the configured default is not among them."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import openai

from chat_core.markdown.visitor_text import one_line
from chat_core.provider.chat_model import PLACEHOLDER_API_KEY
from chat_core.settings.settings import Settings

__all__ = [
    "LARGEST_CONTEXT",
    "LOCAL_SERVER_URLS",
    "MAX_LISTED_MODELS",
    "context_length",
    "find_local_server",
    "list_models",
    "server_model",
]

# The usual addresses of OpenAI-compatible servers people run on their own machine.
LOCAL_SERVER_URLS = (
    "http://localhost:11434/v1",  # Ollama
    "http://localhost:1234/v1",  # LM Studio
)

log = logging.getLogger(__name__)

# What a server's list may hold for the page: every name is drawn in the model selector.
MAX_LISTED_MODELS = 1000
_MODEL_NAME_CHARS = 200  # as the usage log's model column


def _quick_client(base_url: str | None, api_key: str | None, timeout: float) -> openai.OpenAI:
    """A client for a question asked while the page is drawn: no retry, a short wait."""
    return openai.OpenAI(
        base_url=base_url, api_key=api_key or PLACEHOLDER_API_KEY, timeout=timeout, max_retries=0
    )


def list_models(
    base_url: str | None, *, api_key: str | None = None, timeout: float = 0.5
) -> list[str] | None:
    """The model ids the server at ``base_url`` offers (``GET /models``), or None.

    Quick and silent by design: it runs while the page is drawn, to offer a local
    server to a visitor who has no key, and to fill the model selector.
    """
    client = _quick_client(base_url, api_key, timeout)
    try:
        names = {model.id for model in client.models.list() if _plausible_name(model.id)}
        return sorted(names)[:MAX_LISTED_MODELS]
    except openai.OpenAIError as exc:
        log.debug("no model server at %s: %s", base_url, type(exc).__name__)
        return None
    finally:
        client.close()


def _plausible_name(name: object) -> bool:
    """A name a server may list: text on one line, not too long (the server is a stranger)."""
    return isinstance(name, str) and 0 < len(name) <= _MODEL_NAME_CHARS and one_line(name) == name


def server_model(configured: Settings, listed: Sequence[str]) -> str | None:
    """The model to use instead of the built-in default when the server does not offer
    it: the first it lists (as the selector lists them) that the deployer allows. None
    when the deployer named a model (one not listed may be a typo: the page warns), the
    default is offered, or the server lists none."""
    if configured.model_configured or not listed or configured.model in listed:
        return None
    allowed = configured.allowed_models
    return next((name for name in listed if not allowed or name in allowed), None)


# Where servers state a model's context length in GET /models: vLLM, LM Studio,
# OpenRouter and Groq (OpenAI and Ollama state none).
_CONTEXT_FIELDS = ("max_model_len", "context_length", "max_context_length", "context_window")
# The largest context a server is believed to have (the largest models served have 1 to
# 2 million tokens): a server may claim any number, and "as much as fits" trusts it.
LARGEST_CONTEXT = 2_000_000


def context_length(
    base_url: str | None, model: str, *, api_key: str | None = None, timeout: float = 0.5
) -> int | None:
    """The context length (tokens) the server reports for ``model``, at most
    LARGEST_CONTEXT, or None."""
    client = _quick_client(base_url, api_key, timeout)
    try:
        for listed in client.models.list():
            if listed.id == model:
                extra = listed.model_extra or {}
                found = (extra.get(name) for name in _CONTEXT_FIELDS)
                length = next((v for v in found if isinstance(v, int) and v > 0), None)
                return None if length is None else min(length, LARGEST_CONTEXT)
    except openai.OpenAIError as exc:
        log.debug("no context length from %s: %s", base_url, type(exc).__name__)
    finally:
        client.close()
    return None


def find_local_server(urls: tuple[str, ...] | None = None) -> tuple[str, list[str]] | None:
    """The first of ``urls`` (default: the usual local addresses) that lists models."""
    for url in LOCAL_SERVER_URLS if urls is None else urls:
        models = list_models(url)
        if models:
            return url, models
    return None
