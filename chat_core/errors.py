"""What can go wrong, as kinds the page knows how to explain, with only details safe to show
(the mapping from a provider's failures is chat_core/provider/error_mapping.py)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["ErrorKind", "UserFacingError"]


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
