"""Embeddings from the configured server's ``/v1/embeddings`` (OpenAI's
text-embedding-3-small, Ollama, vLLM, LM Studio), through LangChain's OpenAIEmbeddings.

Texts are sent as they are, never cut into tiktoken tokens first: tiktoken downloads its
encodings at run time, which a machine without the internet cannot, and a passage is
already bounded (PASSAGE_CHARS) well under any embedding model's context.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_openai import OpenAIEmbeddings

from chat_core.settings.settings import Settings

__all__ = ["BATCH", "embed_passages", "embedder"]

BATCH = 64  # texts per request


def embedder(settings: Settings) -> OpenAIEmbeddings | None:
    """The embedding model the settings name; None without one (full text alone)."""
    if not settings.embedding_model:
        return None
    return OpenAIEmbeddings(
        model=settings.embedding_model,
        base_url=settings.base_url,
        api_key=settings.api_key or "not-needed",
        check_embedding_ctx_length=False,  # no tiktoken (see above)
        tiktoken_enabled=False,
        chunk_size=BATCH,
        max_retries=settings.max_retries,
        request_timeout=settings.request_timeout,
    )


def embed_passages(model: OpenAIEmbeddings, texts: Sequence[str]) -> list[list[float]]:
    return model.embed_documents(list(texts))
