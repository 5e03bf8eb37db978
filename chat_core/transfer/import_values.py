"""Values read from an uploaded JSON file, each checked to be of the kind expected:
anything else makes the conversation it is in malformed (skipped, never a crash)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar

from chat_core.conversation.imported import ImportedNode

__all__ = [
    "CheckedFields",
    "MalformedError",
    "Read",
    "as_dict",
    "as_list",
    "checked",
    "fields",
    "file_size",
    "from_epoch",
    "from_iso",
    "get",
    "member",
]

_NUMBER = (int, float)
# What no database here stores in text: NUL (PostgreSQL) and lone surrogates (UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_E = TypeVar("_E", bound=Enum)
_MAX_SIZE = 2**31 - 1  # bytes: the store's integer column


# A conversation as a format's reader makes it: nodes, current, (created, updated), settings
Read = tuple[tuple[ImportedNode, ...], int | None, tuple[datetime | None, ...], dict[str, Any]]


class MalformedError(Exception):
    """One conversation is not of its format's shape: it is skipped."""


def checked(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    """``value`` if it is a ``kind`` (a bool is no number here), its text storable."""
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise MalformedError(what)
    return _UNSTORABLE.sub("\ufffd", value) if isinstance(value, str) else value


def file_size(value: Any) -> int:
    """A file's size in bytes, as the store's column holds one; 0 (unknown) for anything
    else, never a number that would fail the conversation's insert."""
    usable = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _MAX_SIZE
    return value if usable else 0


def get(data: dict[str, Any], key: str, kind: type | tuple, default: Any = None) -> Any:
    """``data[key]`` checked to be a ``kind``; ``default`` when missing or null."""
    value = data.get(key)
    return default if value is None else checked(value, kind, key)


def as_dict(value: Any) -> dict[str, Any]:
    return checked(value, dict, "object")


def as_list(value: Any) -> list[Any]:
    return checked(value, list, "list")


def fields(value: Any, **kinds: type | tuple[type, ...]) -> dict[str, Any] | None:
    """Object ``value``'s fields named in ``kinds``, checked (nulls left out); None: no object."""
    if value is None:
        return None
    data = as_dict(value)
    checked = {key: get(data, key, kind) for key, kind in kinds.items()}
    return {key: found for key, found in checked.items() if found is not None}


def member(kind: type[_E], value: Any) -> _E:
    """The member of ``kind`` whose value is ``value``; any other value is malformed."""
    for member in kind:
        if member.value == value:
            return member
    raise MalformedError(kind.__name__)


def from_epoch(value: Any) -> datetime | None:
    """ChatGPT's seconds since 1970; None when missing or past what a date can be."""
    seconds = None if value is None else checked(value, _NUMBER, "time")
    try:
        return None if seconds is None else datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, ValueError, OSError):  # NaN and infinities included
        return None


def from_iso(value: Any) -> datetime | None:
    """The app's ISO 8601 times; one without a zone was written in UTC."""
    try:
        moment = None if value is None else datetime.fromisoformat(checked(value, str, "time"))
    except ValueError:
        raise MalformedError("time") from None
    return moment and (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


class CheckedFields(Mapping[str, Any]):
    """An uploaded object whose fields are each checked when read, and only those named in
    ``checks``: a field its reader never reads (an interrupted answer's usage) is never
    checked, and none it does not expect is seen."""

    def __init__(self, value: Any, checks: Mapping[str, Callable[[Any], Any]]) -> None:
        self._data = as_dict(value)
        self._checks = checks

    def __getitem__(self, key: str) -> Any:
        if key not in self._checks:
            raise KeyError(key)
        return self._checks[key](self._data[key])

    def __iter__(self) -> Iterator[str]:
        return (key for key in self._data if key in self._checks)

    def __len__(self) -> int:
        return sum(1 for _ in self)
