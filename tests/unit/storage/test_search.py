"""One page of the History list from the store, on SQLite and PostgreSQL: cut by LIMIT
and OFFSET, counted, searched in every version, with where each conversation matched."""

from __future__ import annotations

import uuid

from chat_core.conversation.messages import ChatMessage
from chat_core.files.attachments import read_upload
from chat_core.storage import search
from tests.support.many_conversations import add_conversations


def test_a_page_is_cut_and_counted_in_the_database(store, owner):
    add_conversations(store, owner, 120)
    first = store.page(owner, limit=50)
    assert (len(first.items), first.total, first.more, first.offset) == (50, 120, False, 0)
    assert [i.title for i in first.items[:2]] == ["Conversation 119", "Conversation 118"]
    assert {i.message_count for i in first.items} == {2}
    last = store.page(owner, offset=100, limit=50)
    assert [i.title for i in last.items][-1] == "Conversation 0" and len(last.items) == 20
    beyond = store.page(owner, offset=5000, limit=50)  # e.g. after deletions elsewhere
    assert (beyond.offset, len(beyond.items)) == (100, 20)
    assert store.page(f"other-{uuid.uuid4()}").items == []


def test_a_search_counts_no_further_than_the_page_needs(store, owner, monkeypatch):
    add_conversations(store, owner, 120)
    monkeypatch.setattr(search, "COUNT_LIMIT", 30)
    first = store.page(owner, search="answer NUMBER", limit=50)
    assert (len(first.items), first.total, first.more) == (50, 50, True)
    second = store.page(owner, search="answer NUMBER", offset=50, limit=50)
    assert (second.total, second.more) == (100, True)
    third = store.page(owner, search="answer NUMBER", offset=100, limit=50)
    assert (len(third.items), third.total, third.more) == (20, 120, False)


def test_each_match_says_where_it_was_found(store, owner):
    notes = read_upload("notes_100%.md", b"text", text_budget=1000)
    here = store.create(owner, title="on screen", settings={})
    store.put_message(here, owner, 0, ChatMessage.user("ラーメン 100%_done", attachments=(notes,)))
    there = store.create(owner, title="elsewhere", settings={})
    store.put_message(
        there, owner, 0, ChatMessage.user("first try, ラーメン", attachments=(notes,))
    )
    store.put_message(there, owner, 1, ChatMessage.user("second try"), parent=None)
    titled = store.create(owner, title="ラーメン in the title", settings={})

    page = store.page(owner, search="ラーメン")
    assert [i.id for i in page.items] == [titled, there, here]
    assert titled not in page.found  # its title says it
    assert (page.found[here].text, page.found[here].on_screen) == ("ラーメン 100%_done", True)
    assert (page.found[there].text, page.found[there].on_screen) == ("first try, ラーメン", False)

    page = store.page(owner, search="NOTES_100%")  # a file's name; % and _ taken literally
    assert page.found[here] == search.Found("notes_100%.md", True, in_file=True)
    assert page.found[there] == search.Found("notes_100%.md", False, in_file=True)
    assert store.page(owner, search="notes_1000").items == []
    assert [i.id for i in store.page(owner, search="100%_").items] == [here]
    assert store.page(owner, search="1%0").items == []


def test_only_a_stretch_of_a_long_message_is_read(store, owner):
    cid = store.create(owner, title="long", settings={})
    text = "a" * 500_000 + " needle " + "b" * 500_000
    store.put_message(cid, owner, 0, ChatMessage.assistant(text))
    found = store.page(owner, search="NEEDLE").found[cid]
    assert "needle" in found.text and len(found.text) < 600
    assert found.cut_before and found.cut_after
