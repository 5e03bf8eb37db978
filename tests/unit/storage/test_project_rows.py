"""Projects in the store (SQLite and PostgreSQL): scoped by owner, bounded, and deleting
one moves its chats out instead of losing them."""

from __future__ import annotations

import pytest

from chat_core.conversation.messages import ChatMessage
from chat_core.storage.project_rows import (
    NAME_CHARS,
    ProjectRefusedError,
    create_project,
    delete_project,
    list_projects,
    load_project,
    move_conversation,
    update_project,
)


def chat(store, owner, title):
    cid = store.create(owner, title=title, settings={})
    store.put_message(cid, owner, 0, ChatMessage.user(title))
    return cid


def test_a_project_holds_its_owners_chats_and_lists_them(store, owner):
    thesis = create_project(store.engine, owner, "  My   thesis ", "Answer as my advisor.")
    loose, inside = chat(store, owner, "loose"), chat(store, owner, "inside")
    assert move_conversation(store.engine, owner, inside, thesis)
    (listed,) = list_projects(store.engine, owner)
    expected = ("My thesis", "Answer as my advisor.", 1)
    assert (listed.name, listed.instructions, listed.chats) == expected
    assert [c.id for c in store.list(owner, project=thesis)] == [inside]
    assert [c.id for c in store.list(owner, project=None)] == [loose]
    assert {c.id for c in store.list(owner)} == {loose, inside}
    assert store.load(inside, owner).project_id == thesis
    assert store.load(loose, owner).project_id is None
    assert move_conversation(store.engine, owner, inside, None)
    assert store.list(owner, project=thesis) == []


def test_another_owner_can_neither_see_nor_use_a_project(store, owner):
    mine = create_project(store.engine, owner, "Mine")
    theirs = chat(store, f"{owner}-other", "theirs")
    other = f"{owner}-other"
    assert list_projects(store.engine, other) == []
    assert load_project(store.engine, other, mine) is None
    assert not move_conversation(store.engine, other, theirs, mine)  # not their project
    assert not move_conversation(store.engine, owner, theirs, mine)  # not my chat
    assert not update_project(store.engine, other, mine, name="taken")
    assert delete_project(store.engine, other, mine) is None
    assert load_project(store.engine, owner, mine).name == "Mine"


def test_deleting_a_project_moves_its_chats_out(store, owner):
    project = create_project(store.engine, owner, "Handbook")
    first, second = chat(store, owner, "a"), chat(store, owner, "b")
    for cid in (first, second):
        move_conversation(store.engine, owner, cid, project)
    assert delete_project(store.engine, owner, project) == 2
    assert list_projects(store.engine, owner) == []
    assert {c.id for c in store.list(owner, project=None)} == {first, second}


def test_a_project_is_renamed_and_its_instructions_and_settings_changed(store, owner):
    project = create_project(store.engine, owner, "Code")
    assert update_project(store.engine, owner, project, name="Codebase",
                          instructions="Python 3.11.", settings={"model": "m2"})  # fmt: skip
    loaded = load_project(store.engine, owner, project)
    assert (loaded.name, loaded.instructions, loaded.settings) == ("Codebase", "Python 3.11.",
                                                                   {"model": "m2"})  # fmt: skip


@pytest.mark.parametrize(
    ("name", "instructions", "reason"),
    [("   ", "", "name_empty"), ("x" * (NAME_CHARS + 1), "", "name_long"),
     ("ok", "i" * 8_001, "instructions_long")],
)  # fmt: skip
def test_what_a_project_cannot_be_is_refused_with_why(store, owner, name, instructions, reason):
    with pytest.raises(ProjectRefusedError) as refused:
        create_project(store.engine, owner, name, instructions)
    assert refused.value.reason == reason


def test_a_chat_made_in_a_project_is_in_it_only_if_the_project_is_its_owners(store, owner):
    project = create_project(store.engine, owner, "P")
    inside = store.create(owner, title="t", settings={}, project_id=project)
    stray = store.create(f"{owner}-other", title="t", settings={}, project_id=project)
    assert store.load(inside, owner).project_id == project
    assert store.load(stray, f"{owner}-other").project_id is None
