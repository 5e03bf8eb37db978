"""One message to a plain dict and back, with a policy per use: store, export, share, import.

Each use keeps a different part of a message (after simonw/llm's ``serialization.py``):
the store keeps all of it; an export all but an image's bytes; a share link nothing of
the owner (no usage, no feedback, an error's kind only) and a file's contents only if
the owner includes them. A message's ``id`` names widgets for one session and is never
written. Reading back applies the one rule every use shares: an answer stored while it
was being written, and not being written now, reads back as interrupted.
"""

from __future__ import annotations

import base64
import binascii
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from chat_core.conversation.messages import ChatMessage, Feedback, Rating, Role, Status, Thinking
from chat_core.conversation.tool_steps import MAX_STEPS, ToolStep, step_dict, step_from
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.files.attachments import Attachment, AttachmentKind
from chat_core.usage.tokens import Usage

__all__ = [
    "EXPORT",
    "IMPORT",
    "SHARE",
    "SHARE_WITH_FILES",
    "STORE",
    "FileBytes",
    "FileText",
    "LeftOut",
    "Policy",
    "error_dict",
    "error_from",
    "feedback_dict",
    "feedback_from",
    "file_dict",
    "file_from",
    "message_dict",
    "message_from",
    "steps_from",
    "thinking_dict",
    "thinking_from",
]

_OCTET = "application/octet-stream"
_E = TypeVar("_E", bound=enum.Enum)


class FileText(enum.Enum):
    """When a file's text (a document as the model reads it) is written."""

    ALWAYS = "always"
    WHEN_ANY = "when_any"  # left out when empty
    NEVER = "never"


class FileBytes(enum.Enum):
    """How a file's bytes (an image as the model sees it) are written."""

    RAW = "raw"  # as bytes: a database column
    BASE64 = "base64"  # as text in JSON
    NONE = "none"  # never


class LeftOut(enum.Enum):
    """How a reader tells a file that was written without its contents."""

    NEVER = "never"  # every file is written whole
    IMAGE_BYTES = "image_bytes"  # an image: its bytes are never written
    NO_TEXT = "no_text"  # any file written without a "text" field


@dataclass(frozen=True, kw_only=True)
class Policy:
    """What one use of the codec keeps of a message, and how it reads one back."""

    usage: bool  # tokens and the model
    feedback: bool  # the visitor's thumbs and comment
    error_details: bool  # an error's details (limits, a host), else its kind only
    file_text: FileText
    file_bytes: FileBytes
    refused_file_named_only: bool  # a file not sent: its description and problem only
    left_out: LeftOut
    left_out_problem: ErrorKind | None = None  # the problem of a file read without contents
    step_results: bool = True  # what the tools an answer called gave back


STORE = Policy(
    usage=True,
    feedback=True,
    error_details=True,
    file_text=FileText.ALWAYS,
    file_bytes=FileBytes.RAW,
    refused_file_named_only=False,
    left_out=LeftOut.NEVER,
)
# An export is read back by an import: one policy, two names for its two sides.
EXPORT = Policy(
    usage=True,
    feedback=True,
    error_details=True,
    file_text=FileText.WHEN_ANY,
    file_bytes=FileBytes.NONE,
    refused_file_named_only=False,
    left_out=LeftOut.IMAGE_BYTES,
    left_out_problem=ErrorKind.FILE_NOT_IMPORTED,
)
IMPORT = EXPORT
SHARE = Policy(
    usage=False,
    feedback=False,
    error_details=False,
    file_text=FileText.NEVER,
    file_bytes=FileBytes.NONE,
    refused_file_named_only=True,
    left_out=LeftOut.NO_TEXT,
    left_out_problem=ErrorKind.FILE_NOT_SHARED,
    step_results=False,
)
SHARE_WITH_FILES = replace(
    SHARE, file_text=FileText.ALWAYS, file_bytes=FileBytes.BASE64, step_results=True
)


def _member(kind: type[_E], value: Any) -> _E | None:
    return next((member for member in kind if member.value == value), None)


# Parts of a message ---------------------------------------------------------------


def error_dict(error: UserFacingError, policy: Policy = STORE) -> dict[str, Any]:
    if not policy.error_details:  # no server, model or limits of the owner
        return {"kind": error.kind.value}
    return {"kind": error.kind.value, "details": error.details}


def error_from(data: Mapping[str, Any] | None, policy: Policy = STORE) -> UserFacingError | None:
    """A kind this version lacks reads as UNKNOWN."""
    if not data:
        return None
    try:
        details = dict(data.get("details") or {}) if policy.error_details else {}
        return UserFacingError(ErrorKind(data["kind"]), details)
    except (KeyError, ValueError):
        return UserFacingError(ErrorKind.UNKNOWN)


def feedback_dict(feedback: Feedback) -> dict[str, Any]:
    return {"rating": feedback.rating.value, "comment": feedback.comment}


def feedback_from(data: Mapping[str, Any] | None) -> Feedback | None:
    if not data or data.get("rating") not in tuple(Rating):
        return None
    return Feedback(Rating(data["rating"]), str(data.get("comment") or ""))


def thinking_dict(thinking: Thinking) -> dict[str, Any]:
    return {"text": thinking.text, "seconds": thinking.seconds, "ended": thinking.ended}


def thinking_from(data: Mapping[str, Any] | None) -> Thinking | None:
    if not data or not isinstance(data, Mapping) or not data.get("text"):
        return None
    seconds = data.get("seconds")
    return Thinking(
        str(data["text"]),
        float(seconds) if isinstance(seconds, int | float) else None,
        bool(data.get("ended", True)),
    )


# Files ------------------------------------------------------------------------------


def file_dict(attachment: Attachment, policy: Policy) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": attachment.name,
        "kind": attachment.kind.value if attachment.kind else None,
        "mime_type": attachment.mime_type,
        "size": attachment.size,
    }
    refused = attachment.problem is not None
    if not (refused and policy.refused_file_named_only):
        described |= _contents_dict(attachment, policy)
    if refused:
        described["problem"] = error_dict(attachment.problem, policy)
    return described


def _contents_dict(attachment: Attachment, policy: Policy) -> dict[str, Any]:
    contents: dict[str, Any] = {}
    if policy.file_text is FileText.ALWAYS or (
        policy.file_text is FileText.WHEN_ANY and attachment.text
    ):
        contents["text"] = attachment.text
    if attachment.data and policy.file_bytes is FileBytes.RAW:
        contents["data"] = attachment.data
    elif attachment.data and policy.file_bytes is FileBytes.BASE64:
        contents["data"] = base64.b64encode(attachment.data).decode("ascii")
    return contents


def _left_out(data: Mapping[str, Any], kind: AttachmentKind | None, policy: Policy) -> bool:
    if policy.left_out is LeftOut.IMAGE_BYTES:
        return kind is AttachmentKind.IMAGE
    return policy.left_out is LeftOut.NO_TEXT and "text" not in data


def _bytes_from(data: Mapping[str, Any], policy: Policy) -> bytes:
    """The file's bytes; raises ValueError when written text is no base64."""
    value = data.get("data") if policy.file_bytes is not FileBytes.NONE else None
    if not value:
        return b""
    if policy.file_bytes is FileBytes.BASE64:
        return base64.b64decode(value, validate=True)
    return bytes(value)


def file_from(data: Mapping[str, Any], policy: Policy) -> Attachment:
    """A file as written by :func:`file_dict`; one whose contents were left out, or whose
    bytes cannot be read, comes back with a problem: never shown nor sent again."""
    name, kind = str(data.get("name") or ""), _member(AttachmentKind, data.get("kind"))
    problem, content = error_from(data.get("problem"), policy), b""
    if problem is None and _left_out(data, kind, policy):
        problem = UserFacingError(policy.left_out_problem, {"name": name})
    else:
        try:
            content = _bytes_from(data, policy)
        except (binascii.Error, ValueError, TypeError):
            problem = problem or UserFacingError(ErrorKind.FILE_UNREADABLE)
    return Attachment(
        name=name,
        kind=kind,
        mime_type=str(data.get("mime_type") or _OCTET),
        size=int(data.get("size") or 0),
        text=str(data.get("text") or ""),
        data=content,
        problem=problem,
    )


# Messages ---------------------------------------------------------------------------


def message_dict(message: ChatMessage, policy: Policy) -> dict[str, Any]:
    """The message as ``policy`` keeps it; a part it has not, or does not keep, is left out."""
    described: dict[str, Any] = {
        "role": message.role.value,
        "content": message.content,
        "status": message.status.value,
    }
    if message.error is not None:
        described["error"] = error_dict(message.error, policy)
    if message.usage is not None and policy.usage:
        described["usage"] = message.usage.as_dict()
    if message.attachments:
        described["attachments"] = [file_dict(a, policy) for a in message.attachments]
    if message.feedback is not None and policy.feedback:
        described["feedback"] = feedback_dict(message.feedback)
    if message.thinking is not None:
        described["thinking"] = thinking_dict(message.thinking)
    if message.steps:
        described["steps"] = [_step_dict(step, policy) for step in message.steps]
    return described


def _step_dict(step: ToolStep, policy: Policy) -> dict[str, Any]:
    described = step_dict(step)
    if not policy.step_results:  # what it was asked and how it ended, not what it found
        described.update(result="", error=None, cut=False)
    return described


def steps_from(data: Any) -> tuple[ToolStep, ...]:
    """An answer's stored steps, bounded; what is not one is left out."""
    if not isinstance(data, list):
        return ()
    steps = (step_from(item) for item in data[:MAX_STEPS])
    return tuple(step for step in steps if step is not None)


def message_from(
    data: Mapping[str, Any],
    policy: Policy,
    *,
    files: Sequence[Attachment] | None = None,
    still_written: bool = False,
) -> ChatMessage:
    """A message as written by :func:`message_dict`. ``files``: read already (the store
    keeps them in rows of their own). ``still_written``: an answer saved while streaming
    is being written now; otherwise the app stopped while it was written, and it reads
    back as interrupted, its text and thoughts kept (a part not read is never checked)."""
    role, status = Role(data.get("role")), Status(data.get("status") or Status.COMPLETE)
    content, thinking = str(data.get("content") or ""), thinking_from(data.get("thinking"))
    steps = steps_from(data.get("steps")) if role is Role.ASSISTANT else ()
    if status is Status.STREAMING and not still_written:
        interrupted = UserFacingError(ErrorKind.INTERRUPTED)
        return ChatMessage(
            role=role,
            content=content,
            status=Status.FAILED,
            error=interrupted,
            thinking=thinking,
            steps=tuple(step.interrupted() for step in steps),
        )
    if files is None:
        files = [file_from(f, policy) for f in data.get("attachments") or ()]
    return ChatMessage(
        role=role,
        content=content,
        status=status,
        error=error_from(data.get("error"), policy),
        usage=Usage.from_dict(data.get("usage")) if policy.usage else None,
        attachments=tuple(files),
        feedback=feedback_from(data.get("feedback")) if policy.feedback else None,
        thinking=thinking,
        steps=steps,
    )
