"""Provider and network errors mapped, in one place, to kinds the page knows how to show."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import openai

__all__ = ["ErrorKind", "UserFacingError", "classify", "finish_problem", "host_of"]


class ErrorKind(enum.StrEnum):
    AUTH = "auth"
    PERMISSION = "permission"
    MODEL_NOT_FOUND = "model_not_found"
    CONTEXT_TOO_LONG = "context_too_long"
    DOES_NOT_FIT = "does_not_fit"  # refused before sending: over the model's context alone
    RATE_LIMIT = "rate_limit"
    SERVER = "server"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"  # no first token in time
    STALLED = "stalled"  # tokens stopped arriving mid-answer
    STREAM_BROKEN = "stream_broken"  # cut off, or malformed data
    LENGTH_LIMIT = "length_limit"  # the answer hit max tokens (a notice, not a failure)
    THOUGHT_TOO_LONG = "thought_too_long"  # max tokens all spent thinking: no answer
    INPUT_TOO_LONG = "input_too_long"  # refused before any request
    INTERRUPTED = "interrupted"  # the app stopped while the answer was being written
    MESSAGES_PER_MINUTE = "messages_per_minute"  # this user's limit, reached
    TOKENS_PER_DAY = "tokens_per_day"  # this user's limit, reached
    TOKENS_PER_DAY_TOTAL = "tokens_per_day_total"  # the app's limit for everyone, reached
    TOKENS_LEFT = "tokens_left"  # this message and its longest answer would pass a limit
    TOO_MANY_ANSWERS = "too_many_answers"  # answers being written at once, for one visitor
    ANSWERS_FROM_NETWORK = "answers_from_network"  # ... from one client address or network
    ANSWERS_BUSY = "answers_busy"  # ... in the app process, for everyone together
    ANSWER_IN_PROGRESS = "answer_in_progress"  # this conversation's answer is being written
    IMAGES_UNSUPPORTED = "images_unsupported"  # the model refused image input
    # A message whose files could not all be sent (each file says why); nothing was sent.
    ATTACHMENTS_REJECTED = "attachments_rejected"
    FILE_UNSUPPORTED = "file_unsupported"  # a type this app does not read
    FILE_TOO_LARGE = "file_too_large"  # more bytes than its kind allows
    FILE_TOO_LONG = "file_too_long"  # more text than the message's budget
    FILE_MISMATCH = "file_mismatch"  # not what its extension says
    FILE_UNREADABLE = "file_unreadable"  # damaged
    FILE_NOT_IMPORTED = "file_not_imported"  # a file whose bytes no export carries
    FILE_NOT_SHARED = "file_not_shared"  # left out of a shared link by its owner
    FILE_ENCRYPTED = "file_encrypted"  # a PDF behind a password
    FILE_NO_TEXT = "file_no_text"  # a PDF of scanned pages
    FILE_TOO_MANY_PIXELS = "file_too_many_pixels"  # an image too large to decode safely
    FILE_TOO_MANY_FRAMES = "file_too_many_frames"  # an animation's frames, all together
    FILE_TOO_MANY_PAGES = "file_too_many_pages"  # a PDF
    FILE_TOO_COSTLY = "file_too_costly"  # a PDF whose reading was stopped (CPU, memory, time)
    TOO_MANY_FILES = "too_many_files"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class UserFacingError:
    """What went wrong, with only the details that are safe to show a visitor."""

    kind: ErrorKind
    details: dict[str, str] = field(default_factory=dict)


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
