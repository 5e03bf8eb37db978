"""Where a provider's failure becomes the message a visitor reads: an exception of the
openai client, or a stream that ended wrong, mapped to a :class:`UserFacingError` that
never quotes the server (its text can hold the key)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import openai

from chat_core.errors import ErrorKind, UserFacingError

__all__ = ["classify", "finish_problem", "host_of"]


def host_of(base_url: str | None) -> str:
    """The host (and port) of ``base_url``: all of a URL the page may show."""
    return urlsplit(base_url or "https://api.openai.com/v1").netloc or "?"


def _is_context_length(exc: openai.APIStatusError) -> bool:
    code = getattr(exc, "code", None) or ""
    return code == "context_length_exceeded" or "context length" in str(exc).lower()


def _is_image_refusal(exc: openai.APIStatusError) -> bool:
    """A server saying this model takes no images (OpenAI, vLLM and Ollama word it so)."""
    text = str(exc).lower()
    return any(word in text for word in ("image", "vision", "multimodal", "multi-modal"))


def classify(
    exc: BaseException,
    *,
    model: str,
    base_url: str | None,
    started: bool = False,
    elapsed: float = 0.0,
    sent_images: bool = False,
) -> UserFacingError:
    """Map ``exc`` to a :class:`UserFacingError`; never copies the error's own text.

    Provider messages can quote the key ("Incorrect API key provided: sk-..."),
    so only the kind and what we already know (model, host, timing) reach the page.
    ``started`` says whether any token had arrived, which separates a server that
    never answered from an answer that was cut or stalled; ``sent_images`` whether
    the request held images, which a text-only model refuses.
    """
    host = host_of(base_url)
    seconds = f"{elapsed:.0f}"
    if isinstance(exc, openai.AuthenticationError):
        return UserFacingError(ErrorKind.AUTH, {"host": host})
    if isinstance(exc, openai.PermissionDeniedError):
        return UserFacingError(ErrorKind.PERMISSION, {"model": model})
    if isinstance(exc, openai.NotFoundError):
        return UserFacingError(ErrorKind.MODEL_NOT_FOUND, {"model": model, "host": host})
    if isinstance(exc, openai.BadRequestError) and _is_context_length(exc):
        return UserFacingError(ErrorKind.CONTEXT_TOO_LONG, {"model": model})
    if (
        sent_images
        and isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError)
        and _is_image_refusal(exc)
    ):
        return UserFacingError(ErrorKind.IMAGES_UNSUPPORTED, {"model": model})
    if isinstance(exc, openai.RateLimitError):
        return UserFacingError(ErrorKind.RATE_LIMIT, {"host": host})
    if isinstance(exc, openai.APIStatusError):
        return UserFacingError(ErrorKind.SERVER, {"host": host, "status": str(exc.status_code)})
    if isinstance(exc, openai.APITimeoutError):
        kind = ErrorKind.STALLED if started else ErrorKind.TIMEOUT
        return UserFacingError(kind, {"host": host, "seconds": seconds})
    if isinstance(exc, openai.APIConnectionError):
        kind = ErrorKind.STREAM_BROKEN if started else ErrorKind.UNREACHABLE
        return UserFacingError(kind, {"host": host})
    if isinstance(exc, openai.APIError | json.JSONDecodeError):
        return UserFacingError(ErrorKind.STREAM_BROKEN, {"host": host})
    return UserFacingError(ErrorKind.UNKNOWN)


def finish_problem(
    finish_reason: str | None, *, max_tokens: int, base_url: str | None
) -> UserFacingError | None:
    """What a stream that ended without an exception still says is wrong, if anything.

    A stream that closes with no finish reason was cut before its end marker.
    """
    if finish_reason is None:
        return UserFacingError(ErrorKind.STREAM_BROKEN, {"host": host_of(base_url)})
    if finish_reason == "length":
        return UserFacingError(ErrorKind.LENGTH_LIMIT, {"max_tokens": str(max_tokens)})
    return None
