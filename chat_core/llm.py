"""The chat model, built from settings for one answer."""

from __future__ import annotations

from langchain_openai import ChatOpenAI

from .settings import Settings

__all__ = ["PLACEHOLDER_API_KEY", "make_chat_model"]

# Local OpenAI-compatible servers (Ollama, vLLM, LM Studio) ignore the key, but the
# openai client insists on one.
PLACEHOLDER_API_KEY = "not-needed"


def make_chat_model(settings: Settings) -> ChatOpenAI:
    """A streaming ``ChatOpenAI`` for ``settings``.

    Cheap to build per answer: langchain-openai keeps one HTTP connection pool per
    (base URL, timeout), which holds no key, so a visitor's key lives only in the
    object made for their own request.
    """
    return ChatOpenAI(
        model=settings.model,
        api_key=settings.api_key or PLACEHOLDER_API_KEY,
        base_url=settings.base_url,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        timeout=settings.request_timeout,
        max_retries=settings.max_retries,
        streaming=True,
        # Ask for the usage chunk at the end of the stream; servers without one
        # ignore the option, and the answer's tokens are then counted here.
        stream_usage=True,
    )
