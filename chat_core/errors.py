"""Provider and network errors mapped, in one place, to kinds the page knows how to show."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import openai

__all__ = ["ErrorKind", "UserFacingError", "classify"]


class ErrorKind(enum.StrEnum):
    AUTH = "auth"
    PERMISSION = "permission"
    MODEL_NOT_FOUND = "model_not_found"
    CONTEXT_TOO_LONG = "context_too_long"
    RATE_LIMIT = "rate_limit"
    SERVER = "server"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    STREAM_BROKEN = "stream_broken"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class UserFacingError:
    """What went wrong, with only the details that are safe to show a visitor."""

    kind: ErrorKind
    details: dict[str, str] = field(default_factory=dict)


def _host(base_url: str | None) -> str:
    return urlsplit(base_url or "https://api.openai.com/v1").netloc or "?"


def _is_context_length(exc: openai.APIStatusError) -> bool:
    code = getattr(exc, "code", None) or ""
    return code == "context_length_exceeded" or "context length" in str(exc).lower()


def classify(exc: BaseException, *, model: str, base_url: str | None) -> UserFacingError:
    """Map ``exc`` to a :class:`UserFacingError`; never copies the error's own text.

    Provider messages can quote the key ("Incorrect API key provided: sk-..."),
    so only the kind and what we already know (model, host) reach the page.
    """
    host = _host(base_url)
    if isinstance(exc, openai.AuthenticationError):
        return UserFacingError(ErrorKind.AUTH, {"host": host})
    if isinstance(exc, openai.PermissionDeniedError):
        return UserFacingError(ErrorKind.PERMISSION, {"model": model})
    if isinstance(exc, openai.NotFoundError):
        return UserFacingError(ErrorKind.MODEL_NOT_FOUND, {"model": model, "host": host})
    if isinstance(exc, openai.BadRequestError) and _is_context_length(exc):
        return UserFacingError(ErrorKind.CONTEXT_TOO_LONG, {"model": model})
    if isinstance(exc, openai.RateLimitError):
        return UserFacingError(ErrorKind.RATE_LIMIT, {"host": host})
    if isinstance(exc, openai.InternalServerError):
        return UserFacingError(ErrorKind.SERVER, {"host": host, "status": str(exc.status_code)})
    if isinstance(exc, openai.APITimeoutError):
        return UserFacingError(ErrorKind.TIMEOUT, {"host": host})
    if isinstance(exc, openai.APIConnectionError):
        return UserFacingError(ErrorKind.UNREACHABLE, {"host": host})
    if isinstance(exc, openai.APIStatusError):
        return UserFacingError(ErrorKind.SERVER, {"host": host, "status": str(exc.status_code)})
    if isinstance(exc, openai.APIError):
        return UserFacingError(ErrorKind.STREAM_BROKEN, {"host": host})
    return UserFacingError(ErrorKind.UNKNOWN)
