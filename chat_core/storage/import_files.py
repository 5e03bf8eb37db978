"""Conversations read from an uploaded file: the app's own JSON export, or ChatGPT's
``conversations.json``.

Every byte of an upload is a stranger's. Its size is checked before it is parsed, as
parsed JSON takes several times its bytes in memory and one small server serves many
visitors: IMPORT_LIMIT_BYTES (50 MB) bounds what one upload may cost, and still holds
a ChatGPT export of a couple of thousand conversations (its images are separate files).
Whatever the bytes, :func:`read_import` returns or raises :class:`ImportRefused`; a
conversation of the wrong shape in a good file is skipped and counted.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar

from ..attachments import Attachment, AttachmentKind, human_size
from ..errors import ErrorKind, UserFacingError
from ..messages import ChatMessage, Feedback, Role, Status, Thinking
from ..settings import STORED_SETTINGS
from ..text import one_line, shorten
from ..tokens import Usage
from .rows import error_from, title_from

__all__ = [
    "IMPORT_LIMIT_BYTES",
    "REFUSALS",
    "ImportRefused",
    "ImportResult",
    "ImportedConversation",
    "ImportedNode",
    "read_import",
]

IMPORT_LIMIT_BYTES = 50_000_000
REFUSALS = ("too_large", "not_json", "unknown_format", "too_many")
TITLE_LIMIT = 200  # as ConversationStore.rename cuts a title
IMAGE_PLACEHOLDER = "[image]"  # where a ChatGPT message showed an image (not in its JSON)
MERGE_SEPARATOR = "\n\n"  # between a message's parts, and two messages merged into one
_NUMBER = (int, float)
# What no database here stores in text: NUL (PostgreSQL) and lone surrogates (UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A conversation's settings are applied when it is opened: only those it keeps are read
# (never a server or a key), these as text and the others as numbers.
_TEXT_SETTINGS = frozenset({"model", "system_prompt"})
_USAGE_FIELDS = {"model": str, "estimated": bool} | dict.fromkeys(
    ("input_tokens", "output_tokens", "reasoning_tokens"), int
)
_SHOWN_ROLES = ("user", "assistant")  # ChatGPT's others: system, tool
_TEXT_CONTENT = ("text", "multimodal_text")  # others: code, thoughts, execution_output...
_E = TypeVar("_E", bound=Enum)


@dataclass(frozen=True)
class ImportedNode:
    number: int  # 0.. unique within the conversation, parents before children
    parent: int | None  # None for a first message
    message: ChatMessage


@dataclass(frozen=True)
class ImportedConversation:
    title: str
    created_at: datetime | None  # aware, UTC
    updated_at: datetime | None
    settings: dict[str, Any]  # only from the app's own export; {} otherwise
    nodes: tuple[ImportedNode, ...]
    current: int | None  # the node at the end of the branch to show
    fingerprint: str  # the same conversation imported twice has the same one
    source: str  # "app" or "chatgpt"


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


class _MalformedError(Exception):
    """One conversation is not of its format's shape: it is skipped."""


# A conversation as a format's reader makes it: nodes, current, (created, updated), settings
_Read = tuple[tuple[ImportedNode, ...], int | None, tuple[datetime | None, ...], dict[str, Any]]


def _checked(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    """``value`` if it is a ``kind`` (a bool is no number here), its text storable."""
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise _MalformedError(what)
    return _UNSTORABLE.sub("\ufffd", value) if isinstance(value, str) else value


def _get(data: dict[str, Any], key: str, kind: type | tuple, default: Any = None) -> Any:
    """``data[key]`` checked to be a ``kind``; ``default`` when missing or null."""
    value = data.get(key)
    return default if value is None else _checked(value, kind, key)


def _as_dict(value: Any) -> dict[str, Any]:
    return _checked(value, dict, "object")


def _fields(value: Any, **kinds: type | tuple[type, ...]) -> dict[str, Any] | None:
    """Object ``value``'s fields named in ``kinds``, checked (nulls left out); None: no object."""
    if value is None:
        return None
    data = _as_dict(value)
    checked = {key: _get(data, key, kind) for key, kind in kinds.items()}
    return {key: found for key, found in checked.items() if found is not None}


def _member(kind: type[_E], value: Any) -> _E:
    """The member of ``kind`` whose value is ``value``; any other value is malformed."""
    for member in kind:
        if member.value == value:
            return member
    raise _MalformedError(kind.__name__)


def _from_epoch(value: Any) -> datetime | None:
    """ChatGPT's seconds since 1970; None when missing or past what a date can be."""
    seconds = None if value is None else _checked(value, _NUMBER, "time")
    try:
        return None if seconds is None else datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, ValueError, OSError):  # NaN and infinities included
        return None


def _from_iso(value: Any) -> datetime | None:
    """The app's ISO 8601 times; one without a zone was written in UTC."""
    try:
        moment = None if value is None else datetime.fromisoformat(_checked(value, str, "time"))
    except ValueError:
        raise _MalformedError("time") from None
    return moment and (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


# The app's own export -------------------------------------------------------------------


def _error(value: Any) -> UserFacingError | None:
    """Read as the store reads one (a kind this version lacks is UNKNOWN); details text."""
    error = _fields(value, kind=str, details=dict)
    if error and "details" in error:
        details = error["details"].items()
        error["details"] = {_checked(key, str, key): _checked(v, str, key) for key, v in details}
    return error_from(error)


def _attachment(value: Any) -> Attachment:
    """A file as exported. An image's bytes never are: one that was sent comes back with
    a problem, so that the app neither shows nor sends again bytes it does not have."""
    data = _fields(_as_dict(value), name=str, kind=str, mime_type=str, size=int, text=str) or {}
    kind = _member(AttachmentKind, data.pop("kind")) if "kind" in data else None
    problem = _error(value.get("problem"))
    if kind is AttachmentKind.IMAGE and problem is None:
        problem = UserFacingError(ErrorKind.FILE_NOT_IMPORTED, {"name": data.get("name", "")})
    return Attachment(**{"name": "", **data}, kind=kind, problem=problem)


def _app_message(value: Any) -> ChatMessage:
    data = _as_dict(value)
    role, status = _member(Role, data.get("role")), _member(Status, data.get("status", "complete"))
    content = _get(data, "content", str, "")
    thinking = _fields(data.get("thinking"), text=str, seconds=_NUMBER, ended=bool)
    if status is Status.STREAMING:  # the app stopped while it was written: as the store reads it
        status, data = Status.FAILED, {"error": {"kind": ErrorKind.INTERRUPTED.value}}
    return ChatMessage(
        role=role,
        content=content,
        status=status,
        error=_error(data.get("error")),
        usage=Usage.from_dict(_fields(data.get("usage"), **_USAGE_FIELDS)),
        attachments=tuple(_attachment(a) for a in _get(data, "attachments", list, [])),
        feedback=Feedback.from_dict(_fields(data.get("feedback"), rating=str, comment=str)),
        thinking=Thinking.from_dict(thinking),
    )


def _settings(value: Any) -> dict[str, Any]:
    """The settings a conversation keeps, each of its type; any other is left out."""
    return {
        name: setting
        for name, setting in ({} if value is None else _as_dict(value)).items()
        if name in STORED_SETTINGS
        and not isinstance(setting, bool)
        and isinstance(setting, str if name in _TEXT_SETTINGS else _NUMBER)
        and (not isinstance(setting, float) or math.isfinite(setting))
    }


def _app_conversation(data: dict[str, Any]) -> _Read:
    """One exported conversation: one branch, shown to its end."""
    messages = [_app_message(m) for m in _get(data, "messages", list, [])]
    nodes = tuple(ImportedNode(n, n - 1 if n else None, m) for n, m in enumerate(messages))
    times = (_from_iso(data.get("created_at")), _from_iso(data.get("updated_at")))
    return nodes, len(nodes) - 1 if nodes else None, times, _settings(data.get("settings"))


# ChatGPT's export -----------------------------------------------------------------------


@dataclass
class _Draft:
    """A node of ChatGPT's tree; ``role`` None for one not shown (system, tool, hidden)."""

    parent: str | None
    order: tuple[bool, float, int]  # its creation (unknown ones last), then its place
    role: Role | None = None
    texts: list[str] = field(default_factory=list)  # its own, then those merged into it


def _part_text(part: Any) -> str:
    """A content part: text as is, an image (never in the JSON) as a placeholder."""
    if isinstance(part, str):
        return _checked(part, str, "part")
    part = _as_dict(part)
    content_type = _get(part, "content_type", str, "")
    if content_type == "audio_transcription":  # what was said in voice mode
        return _get(part, "text", str, "")
    return IMAGE_PLACEHOLDER if "asset_pointer" in part or "image" in content_type else ""


def _shown(message: dict[str, Any]) -> tuple[Role | None, str]:
    """The role and text of a message ChatGPT shows; no role for one it does not: system
    and tool messages, hidden ones, calls to tools, code, thoughts, empty ones."""
    role = _get(_get(message, "author", dict, {}), "role", str, "")
    hidden = _get(message, "metadata", dict, {}).get("is_visually_hidden_from_conversation")
    to_tool = _get(message, "recipient", str, "all") != "all"
    content = _get(message, "content", dict, {})
    kind = _get(content, "content_type", str, "")
    if role not in _SHOWN_ROLES or hidden is True or to_tool or kind not in _TEXT_CONTENT:
        return None, ""
    parts = (_part_text(part) for part in _get(content, "parts", list, []))
    text = MERGE_SEPARATOR.join(part for part in parts if part)
    return (Role(role), text) if text.strip() else (None, "")


def _draft(node: Any, place: int) -> _Draft:
    node = _as_dict(node)
    message = _get(node, "message", dict)
    created = _from_epoch(message.get("create_time")) if message else None
    order = (created is None, created.timestamp() if created else 0.0, place)
    role, text = _shown(message) if message else (None, "")
    return _Draft(_get(node, "parent", str), order, role, [text])


def _nearest_shown(key: str | None, drafts: dict[str, _Draft], memo: dict) -> str | None:
    """``key`` if shown, else its nearest shown ancestor; None when none is."""
    trail: dict[str, None] = {}  # the skipped nodes walked through
    while key in drafts and key not in memo:
        if drafts[key].role is not None:
            memo[key] = key
            break
        if key in trail:
            raise _MalformedError("cycle")
        trail[key] = None
        key = drafts[key].parent
    found = memo.get(key)
    memo.update(dict.fromkeys(trail, found))
    return found


def _parents_first(parents: dict[str, str | None], drafts: dict[str, _Draft]) -> list[str]:
    """The shown nodes, parents before children, each in order of creation."""
    children: dict[str | None, list[str]] = {}
    for key, parent in parents.items():
        children.setdefault(parent, []).append(key)
    ready = [(drafts[key].order, key) for key in children.get(None, [])]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        ordered.append(key := heapq.heappop(ready)[1])
        for child in children.get(key, []):
            heapq.heappush(ready, (drafts[child].order, child))
    if len(ordered) < len(parents):  # some are their own ancestors
        raise _MalformedError("cycle")
    return ordered


def _merge_same_role(ordered: list[str], parents: dict, drafts: dict) -> dict[str, str]:
    """Merge a message into its only child when both have one role (an answer continued
    after a tool call), so that branches alternate question and answer. One with more
    children stays: merged into each, its text would be copied once per child, without
    bound in a hostile file. Returns each merged message's heir, which took its place."""
    children = Counter(parents.values())
    heirs: dict[str, str] = {}
    for key in ordered:
        parent = parents[key]
        if parent is None or children[parent] > 1 or drafts[parent].role is not drafts[key].role:
            continue
        drafts[parent].texts += drafts[key].texts  # the parent's list, never copied
        drafts[key].texts = drafts[parent].texts
        parents[key] = parents[parent]
        heirs[parent] = key
    return heirs


def _chatgpt_conversation(data: dict[str, Any]) -> _Read:
    """One conversation's tree, of the messages ChatGPT shows."""
    mapping = _get(data, "mapping", dict, {})
    drafts = {key: _draft(node, place) for place, (key, node) in enumerate(mapping.items())}
    memo: dict[str | None, str | None] = {}
    shown = [key for key, draft in drafts.items() if draft.role is not None]
    parents = {key: _nearest_shown(drafts[key].parent, drafts, memo) for key in shown}
    ordered = _parents_first(parents, drafts)
    dropped = _merge_same_role(ordered, parents, drafts)
    numbers = {key: n for n, key in enumerate(k for k in ordered if k not in dropped)}
    numbers_of = {**numbers, None: None}
    text = {k: MERGE_SEPARATOR.join(drafts[k].texts) for k in numbers}
    said = {k: ChatMessage(role=drafts[k].role, content=text[k]) for k in numbers}
    nodes = tuple(ImportedNode(n, numbers_of[parents[k]], said[k]) for k, n in numbers.items())
    current = _nearest_shown(_get(data, "current_node", str), drafts, memo)
    while current in dropped:  # merged into a child
        current = dropped[current]
    # Without one, the last created: it has no child.
    at = numbers[current] if current is not None else len(nodes) - 1 if nodes else None
    times = (_from_epoch(data.get("create_time")), _from_epoch(data.get("update_time")))
    return nodes, at, times, {}


_READERS = {"app": _app_conversation, "chatgpt": _chatgpt_conversation}


def _format_of(item: Any) -> str | None:
    keys = item if isinstance(item, dict) else {}
    return "chatgpt" if "mapping" in keys else "app" if "messages" in keys else None


def _conversation(source: str, item: Any) -> ImportedConversation:
    """Titled as in the file, on one line and cut; if untitled, after its first message
    as a new conversation is. Fingerprinted by what it holds, never by its ids."""
    data = _as_dict(item)
    nodes, current, times, settings = _READERS[source](data)
    title = shorten(one_line(_get(data, "title", str, "")), TITLE_LIMIT)
    title = title or (title_from(nodes[0].message.content) if nodes else "") or "…"
    shape = [[node.message.role.value, node.message.content, node.parent] for node in nodes]
    canonical = [source, title, times[0] and times[0].isoformat(), shape]
    fingerprint = hashlib.sha256(json.dumps(canonical).encode()).hexdigest()
    return ImportedConversation(title, *times, settings, nodes, current, fingerprint, source)


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
        except (_MalformedError, ValueError, TypeError):  # the last two: a guard, not expected
            continue
        if conversation is not None and conversation.nodes:
            conversations.append(conversation)
    if (messages := sum(len(c.nodes) for c in conversations)) > max_messages:
        raise _too_many("messages", messages, max_messages)
    return ImportResult(conversations, skipped=len(items) - len(conversations))
