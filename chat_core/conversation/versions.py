"""Every version of a conversation: its messages as a tree.

Regenerating an answer adds a sibling under the same question; editing a question adds
a sibling under the same parent. Each message has a number (unique in its
conversation, in order of creation: also its key in the store) and a parent (None for
a first question). What the page shows, and what the model is sent, is one branch:
the path from a first question to a leaf.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from chat_core.conversation.messages import ChatMessage

__all__ = ["MessageTree", "Versions"]


@dataclass(frozen=True)
class Versions:
    """Where a message stands among its siblings: ``index`` of ``count`` (0-based)."""

    numbers: tuple[int, ...]
    index: int

    @property
    def count(self) -> int:
        return len(self.numbers)

    def step(self, offset: int) -> int | None:
        """The sibling ``offset`` places away, or None past either end."""
        wanted = self.index + offset
        return self.numbers[wanted] if 0 <= wanted < len(self.numbers) else None


@dataclass
class MessageTree:
    """Messages by number, with their parents; children kept in order of creation."""

    _messages: dict[int, ChatMessage] = field(default_factory=dict)
    _parents: dict[int, int | None] = field(default_factory=dict)
    _children: dict[int | None, list[int]] = field(default_factory=dict)
    _next: int = 0  # never given twice: a removed message's number is not reused
    # The reply last shown under each message: a version switched back to shows the
    # branch the visitor left there, not only the newest one.
    _shown: dict[int | None, int] = field(default_factory=dict)

    @classmethod
    def chain(cls, messages: list[ChatMessage]) -> MessageTree:
        """A tree of one branch: each message the child of the one before."""
        tree = cls()
        parent = None
        for message in messages:
            parent = tree.add(message, parent)
        return tree

    def __len__(self) -> int:
        return len(self._messages)

    def __contains__(self, number: object) -> bool:
        return number in self._messages

    def __iter__(self) -> Iterator[int]:
        return iter(sorted(self._messages))

    def next_number(self) -> int:
        return self._next

    def add(self, message: ChatMessage, parent: int | None) -> int:
        """Add ``message`` under ``parent``; its new number."""
        number = self.next_number()
        self.put(number, message, parent)
        return number

    def put(self, number: int, message: ChatMessage, parent: int | None) -> None:
        """Store ``message`` as ``number`` (a new one under ``parent``, or in place)."""
        if parent is not None and parent not in self._messages:
            raise KeyError(f"no message {parent} to answer")
        if number not in self._messages:
            self._next = max(self._next, number + 1)
            self._parents[number] = parent
            siblings = self._children.setdefault(parent, [])
            siblings.append(number)
            siblings.sort()
        self._messages[number] = message

    def renumber(self, old: int, new: int) -> None:
        """Give message ``old`` the number ``new`` (the store gave it that one: another tab
        had taken ``old``); its replies follow it."""
        if new in self._messages:
            raise ValueError(f"message {new} exists")
        parent, message = self._parents.pop(old), self._messages.pop(old)
        self._messages[new], self._parents[new] = message, parent
        siblings = self._children[parent]
        siblings[siblings.index(old)] = new
        siblings.sort()
        replies = self._children.pop(old, [])
        for reply in replies:
            self._parents[reply] = new
        if replies:
            self._children[new] = replies
        for above, shown in list(self._shown.items()):
            if shown == old:
                self._shown[above] = new
        if old in self._shown:
            self._shown[new] = self._shown.pop(old)
        self._next = max(self._next, new + 1)

    def remove(self, number: int) -> None:
        """Remove a message that has no children (a failed try, before asking again)."""
        if self._children.get(number):
            raise ValueError("a message with replies stays")
        parent = self._parents.pop(number)
        del self._messages[number]
        self._children[parent].remove(number)
        self._children.pop(number, None)
        if self._shown.get(parent) == number:
            del self._shown[parent]

    def message(self, number: int) -> ChatMessage:
        return self._messages[number]

    def parent(self, number: int) -> int | None:
        return self._parents[number]

    def children(self, number: int | None) -> list[int]:
        return list(self._children.get(number, ()))

    def path(self, leaf: int | None) -> list[int]:
        """The numbers from a first question down to ``leaf`` (empty for None)."""
        path: list[int] = []
        while leaf is not None:
            path.append(leaf)
            leaf = self._parents[leaf]
        path.reverse()
        return path

    def show(self, leaf: int | None) -> list[int]:
        """The path to ``leaf`` (as ``path``), remembered as the branch shown there."""
        path = self.path(leaf)
        for parent, number in zip([None, *path], path, strict=False):
            self._shown[parent] = number
        return path

    def newest_leaf(self, number: int | None) -> int | None:
        """The leaf reached from ``number`` by always taking the newest reply."""
        while self._children.get(number):
            number = self._children[number][-1]
        return number

    def leaf_under(self, number: int | None) -> int | None:
        """The leaf reached from ``number`` by taking the reply last shown under each
        message, else the newest."""
        while self._children.get(number):
            replies = self._children[number]
            shown = self._shown.get(number)
            number = shown if shown in replies else replies[-1]
        return number

    def versions(self, number: int) -> Versions:
        siblings = tuple(self._children[self._parents[number]])
        return Versions(siblings, siblings.index(number))
