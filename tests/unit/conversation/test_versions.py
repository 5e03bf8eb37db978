"""Every version of a conversation as a tree: numbers, branches, versions."""

from __future__ import annotations

import pytest

from chat_core.conversation.messages import ChatMessage
from chat_core.conversation.versions import MessageTree
from chat_core.prompt.window import window


def q(text: str) -> ChatMessage:
    return ChatMessage.user(text)


def a(text: str) -> ChatMessage:
    return ChatMessage.assistant(text)


def contents(tree: MessageTree, numbers: list[int]) -> list[str]:
    return [tree.message(n).content for n in numbers]


def test_a_chain_is_one_branch_numbered_in_order():
    tree = MessageTree.chain([q("one"), a("a1"), q("two")])
    assert list(tree) == [0, 1, 2] and tree.parent(0) is None and tree.parent(2) == 1
    assert tree.path(2) == [0, 1, 2] and tree.path(None) == []
    assert tree.newest_leaf(None) == 2


def test_versions_are_siblings_in_order_of_creation():
    tree = MessageTree.chain([q("one"), a("first take")])
    second = tree.add(a("second take"), 0)
    versions = tree.versions(1)
    assert (versions.numbers, versions.index, versions.count) == ((1, second), 0, 2)
    assert versions.step(1) == second and versions.step(-1) is None
    assert tree.versions(second).step(1) is None


def test_a_version_shows_its_newest_replies_below_it():
    tree = MessageTree.chain([q("one"), a("a1"), q("two"), a("a2")])
    edited = tree.add(q("two, edited"), 1)
    answer = tree.add(a("a2 again"), edited)
    assert tree.newest_leaf(1) == answer
    assert contents(tree, tree.path(tree.newest_leaf(2))) == ["one", "a1", "two", "a2"]
    assert contents(tree, tree.path(answer)) == ["one", "a1", "two, edited", "a2 again"]


def test_a_version_switched_back_to_shows_the_branch_left_there():
    tree = MessageTree.chain([q("one"), a("first take")])
    second = tree.add(a("second take"), 0)
    tree.show(1)  # the visitor went back to the first take, then edited the question
    tree.add(q("one, edited"), None)
    assert tree.leaf_under(0) == 1  # not the newest, second take: the one left there
    tree.show(second)
    assert tree.leaf_under(0) == second


def test_only_a_message_nothing_follows_is_removed_and_its_number_is_not_given_again():
    tree = MessageTree.chain([q("one"), a("failed")])
    with pytest.raises(ValueError, match="replies"):
        tree.remove(0)
    tree.remove(1)
    assert tree.children(0) == [] and 1 not in tree
    assert tree.add(a("again"), 0) == 2


def test_a_message_must_follow_one_that_exists():
    with pytest.raises(KeyError):
        MessageTree().put(3, a("orphan"), 2)


def test_the_window_follows_the_branch_on_screen():
    tree = MessageTree.chain([q("one"), a("a1"), q("two"), a("a2")])
    edited = tree.add(q("other two"), 1)
    tree.add(a("other a2"), edited)
    shown = [tree.message(n) for n in tree.path(tree.newest_leaf(None))]
    sent = [m.content for m in window(shown, 3)]
    assert sent == ["one", "a1", "other two", "other a2"]
    older = [tree.message(n) for n in tree.path(3)]
    assert [m.content for m in window(older, 1)] == ["two", "a2"]


def test_a_message_renumbered_keeps_its_replies_and_its_place():
    """A message saved late whose number another tab took: its replies, already here,
    follow it to the store's number."""
    tree = MessageTree.chain([q("q1"), a("a1"), q("q2"), a("a2")])
    tree.show(3)
    tree.renumber(2, 7)
    assert tree.path(3) == [0, 1, 7, 3] and tree.children(1) == [7]
    assert tree.leaf_under(0) == 3 and tree.add(a("next"), 3) == 8
    with pytest.raises(ValueError):
        tree.renumber(3, 7)
