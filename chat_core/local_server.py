"""Finding an OpenAI-compatible server on its usual local address (Ollama)."""

from __future__ import annotations

import logging

import openai

from .llm import PLACEHOLDER_API_KEY

__all__ = ["OLLAMA_BASE_URL", "list_models"]

OLLAMA_BASE_URL = "http://localhost:11434/v1"

log = logging.getLogger(__name__)


def list_models(base_url: str, *, timeout: float = 0.5) -> list[str] | None:
    """The model ids the server at ``base_url`` offers, or None if it does not answer.

    Quick and silent by design: it runs while the page is drawn, to offer a
    local server to a visitor who has no key.
    """
    client = openai.OpenAI(
        base_url=base_url, api_key=PLACEHOLDER_API_KEY, timeout=timeout, max_retries=0
    )
    try:
        return sorted(model.id for model in client.models.list())
    except openai.OpenAIError as exc:
        log.debug("no model server at %s: %s", base_url, type(exc).__name__)
        return None
    finally:
        client.close()
