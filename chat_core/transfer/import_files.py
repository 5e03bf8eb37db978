"""Conversations read from an uploaded file: the app's own JSON export, or ChatGPT's
``conversations.json``.

Every byte of an upload is a stranger's. Its size is checked before it is parsed:
IMPORT_LIMIT_BYTES (50 MB) still holds a ChatGPT export of a couple of thousand
conversations (its images are separate files). Parsed JSON can take up to 30 times its
bytes in memory, so the page reads a file in a limited child process (import_child.py).
Whatever the bytes, :func:`read_import` returns or raises :class:`ImportRefused`; a
conversation of the wrong shape in a good file is skipped and counted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chat_core.conversation.conversation import COMMENT_LENGTH
from chat_core.conversation.imported import ImportedConversation, ImportedNode
from chat_core.conversation.message_codec import IMPORT, message_from
from chat_core.conversation.messages import ChatMessage, Role, Status
from chat_core.conversation.tool_steps import MAX_STEPS
from chat_core.files.attachments import AttachmentKind, human_size
from chat_core.files.kinds import clean_name
from chat_core.markdown.visitor_text import one_line, shorten, without_invisible
from chat_core.settings.kept import kept_settings
from chat_core.storage.message_rows import title_from
from chat_core.transfer.chatgpt import IMAGE_PLACEHOLDER, MERGE_SEPARATOR, read_conversation
from chat_core.transfer.import_values import (
    CheckedFields,
    MalformedError,
    Read,
    as_dict,
    as_list,
    checked,
    fields,
    file_size,
    from_iso,
    get,
    member,
)

__all__ = [
    "IMAGE_PLACEHOLDER",
    "IMPORT_LIMIT_BYTES",
    "IMPORT_UPLOAD_MB",
    "MERGE_SEPARATOR",
    "REFUSALS",
    "ImportRefused",
    "ImportResult",
    "read_import",
]

IMPORT_LIMIT_BYTES = 50_000_000
# What the import box takes at all, in Streamlit's megabytes (MiB): above the limit, so
# that a file a little too large is named with it; a larger one never leaves the browser.
IMPORT_UPLOAD_MB = 64
_DETAILS, _DETAIL = 8, 200  # an error's details: how many, and characters each
REFUSALS = ("too_large", "not_json", "unknown_format", "too_many", "too_costly")
TITLE_LIMIT = 200  # as ConversationStore.rename cuts a title
_NUMBER = (int, float)
_USAGE_FIELDS = {"model": str, "estimated": bool} | dict.fromkeys(
    ("input_tokens", "output_tokens", "reasoning_tokens"), int
)


@dataclass(frozen=True)
class ImportResult:
    conversations: list[ImportedConversation]
    skipped: int  # conversations of the wrong shape, or with no message to show


class ImportRefused(Exception):  # noqa: N818 (a refusal, not an error of the app's)
    """The file is refused: ``reason`` is one of REFUSALS, ``details`` fill its message."""

    def __init__(self, reason: str, **details: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details

    def __reduce__(self):  # handed back whole by the child process that read the file
        return _refusal, (self.reason, self.details)


def _refusal(reason: str, details: dict[str, str]) -> ImportRefused:
    return ImportRefused(reason, **details)


# The app's own export -------------------------------------------------------------------


def _feedback(value: Any) -> dict[str, Any] | None:
    """Thumbs as exported, the comment bounded as the page bounds one."""
    feedback = fields(value, rating=str, comment=str)
    if feedback and "comment" in feedback:
        feedback["comment"] = feedback["comment"][:COMMENT_LENGTH]
    return feedback


def _error(value: Any) -> dict[str, Any] | None:
    """An error's kind (the codec reads one this version lacks as UNKNOWN); its details
    text, so many and each bounded, and shown escaped (Translator.explain)."""
    error = fields(value, kind=str, details=dict)
    if error and "details" in error:
        details = error["details"].items()
        error["details"] = {
            checked(key, str, key)[:_DETAIL]: without_invisible(checked(v, str, key))[:_DETAIL]
            for key, v in list(details)[:_DETAILS]
        }
    return error


def _attachment(value: Any) -> dict[str, Any]:
    """A file as exported, checked. An image's bytes never are: the codec gives one that
    was sent a problem, so that the app neither shows nor sends again bytes it lacks."""
    data = fields(as_dict(value), name=str, kind=str, mime_type=str, size=int, text=str) or {}
    kind = member(AttachmentKind, data["kind"]) if "kind" in data else None
    return data | {
        "name": clean_name(data.get("name", "")),
        "kind": kind.value if kind else None,
        "size": file_size(data.get("size")),
        "problem": _error(value.get("problem")),
    }


_MESSAGE_CHECKS: dict[str, Callable[[Any], Any]] = {
    "role": lambda value: member(Role, value),
    "status": lambda value: member(Status, value),
    "content": lambda value: "" if value is None else checked(value, str, "content"),
    "thinking": lambda value: fields(value, text=str, seconds=_NUMBER, ended=bool),
    "error": _error,
    "usage": lambda value: fields(value, **_USAGE_FIELDS),
    "attachments": lambda value: [] if value is None else [_attachment(a) for a in as_list(value)],
    "feedback": _feedback,
    "steps": lambda value: [] if value is None else as_list(value)[:MAX_STEPS],  # step_from bounds
}


def _app_message(value: Any) -> ChatMessage:
    """An exported message, each of its fields checked as the codec reads it."""
    return message_from(CheckedFields(value, _MESSAGE_CHECKS), IMPORT)


def _settings(value: Any) -> dict[str, Any]:
    """The settings as written, text made storable; :func:`kept_settings` picks those a
    conversation keeps."""
    settings = {} if value is None else as_dict(value)
    return {k: checked(v, str, k) if isinstance(v, str) else v for k, v in settings.items()}


def _app_conversation(data: dict[str, Any]) -> Read:
    """One exported conversation: one branch, shown to its end."""
    messages = [_app_message(m) for m in get(data, "messages", list, [])]
    nodes = tuple(ImportedNode(n, n - 1 if n else None, m) for n, m in enumerate(messages))
    times = (from_iso(data.get("created_at")), from_iso(data.get("updated_at")))
    return nodes, len(nodes) - 1 if nodes else None, times, _settings(data.get("settings"))


_READERS = {"app": _app_conversation, "chatgpt": read_conversation}


def _format_of(item: Any) -> str | None:
    keys = item if isinstance(item, dict) else {}
    return "chatgpt" if "mapping" in keys else "app" if "messages" in keys else None


def _conversation(source: str, item: Any) -> ImportedConversation:
    """Titled as in the file, on one line and cut; if untitled, after its first message
    as a new conversation is. Fingerprinted by what it holds, never by its ids."""
    data = as_dict(item)
    nodes, current, times, written = _READERS[source](data)
    settings, adjusted = kept_settings(written)
    title = shorten(one_line(get(data, "title", str, "")), TITLE_LIMIT)
    title = title or (title_from(nodes[0].message.content) if nodes else "") or "…"
    shape = [[node.message.role.value, node.message.content, node.parent] for node in nodes]
    canonical = [source, title, times[0] and times[0].isoformat(), shape]
    fingerprint = hashlib.sha256(json.dumps(canonical).encode()).hexdigest()
    return ImportedConversation(
        title, *times, settings, nodes, current, fingerprint, source, tuple(adjusted)
    )


def _too_many(what: str, count: int, limit: int) -> ImportRefused:
    return ImportRefused("too_many", what=what, count=f"{count:,}", limit=f"{limit:,}")


def read_import(
    data: bytes,
    *,
    max_bytes: int = IMPORT_LIMIT_BYTES,
    max_conversations: int = 2000,
    max_messages: int = 20_000,
) -> ImportResult:
    """The conversations of an uploaded file, ready to store; raises ImportRefused.

    A file of one conversation, or a list of them, of either format (each item is told
    apart by its keys); a conversation with no message to show is skipped too.
    """
    if len(data) > max_bytes:
        raise ImportRefused("too_large", limit=human_size(max_bytes), size=human_size(len(data)))
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # nested too deep: RecursionError
        raise ImportRefused("not_json") from None
    items = document if isinstance(document, list) else [document]
    formats = [_format_of(item) for item in items]
    if items and not any(formats):
        raise ImportRefused("unknown_format")
    if len(items) > max_conversations:
        raise _too_many("conversations", len(items), max_conversations)
    conversations: list[ImportedConversation] = []
    for item, source in zip(items, formats, strict=True):
        try:
            conversation = _conversation(source, item) if source else None
        except (MalformedError, ValueError, TypeError):  # the last two: a guard, not expected
            continue
        if conversation is not None and conversation.nodes:
            conversations.append(conversation)
    if (messages := sum(len(c.nodes) for c in conversations)) > max_messages:
        raise _too_many("messages", messages, max_messages)
    return ImportResult(conversations, skipped=len(items) - len(conversations))
