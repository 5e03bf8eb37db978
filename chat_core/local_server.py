"""Finding an OpenAI-compatible server on its usual local address (Ollama)."""

from __future__ import annotations

import logging

import openai

from .llm import PLACEHOLDER_API_KEY

__all__ = ["LOCAL_SERVER_URLS", "find_local_server", "list_models"]

# The usual addresses of OpenAI-compatible servers people run on their own machine.
LOCAL_SERVER_URLS = (
    "http://localhost:11434/v1",  # Ollama
    "http://localhost:1234/v1",  # LM Studio
)

log = logging.getLogger(__name__)


def list_models(
    base_url: str | None, *, api_key: str | None = None, timeout: float = 0.5
) -> list[str] | None:
    """The model ids the server at ``base_url`` offers (``GET /models``), or None.

    Quick and silent by design: it runs while the page is drawn, to offer a local
    server to a visitor who has no key, and to fill the model selector.
    """
    client = openai.OpenAI(
        base_url=base_url,
        api_key=api_key or PLACEHOLDER_API_KEY,
        timeout=timeout,
        max_retries=0,
    )
    try:
        return sorted(model.id for model in client.models.list())
    except openai.OpenAIError as exc:
        log.debug("no model server at %s: %s", base_url, type(exc).__name__)
        return None
    finally:
        client.close()


def find_local_server(urls: tuple[str, ...] | None = None) -> tuple[str, list[str]] | None:
    """The first of ``urls`` (default: the usual local addresses) that lists models."""
    for url in LOCAL_SERVER_URLS if urls is None else urls:
        models = list_models(url)
        if models:
            return url, models
    return None
