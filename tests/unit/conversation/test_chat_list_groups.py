"""The chat list: groups by the visitor's calendar, pinned first; the store's pins and limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from chat_core.conversation.chat_list_groups import group_by_day
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore


@dataclass(frozen=True)
class Item:
    name: str
    updated_at: datetime
    pinned: bool = False


TOKYO = ZoneInfo("Asia/Tokyo")


def _names(groups):
    return [(group, [item.name for item in items]) for group, items in groups]


def test_groups_follow_the_visitors_calendar_and_keep_the_order():
    today = date(2026, 11, 25)
    at = lambda d, h: datetime(2026, 11, d, h, tzinfo=TOKYO)  # noqa: E731
    items = [
        Item("now", at(25, 9)),
        Item("pinned old", at(1, 9), pinned=True),
        Item("late last night", at(24, 23)),
        Item("monday", at(23, 12)),
        Item("a week ago", at(18, 12)),
        Item("eight days ago", at(17, 12)),
    ]
    assert _names(group_by_day(items, today=today, zone=TOKYO)) == [
        ("pinned", ["pinned old"]),
        ("today", ["now"]),
        ("yesterday", ["late last night"]),
        ("previous_7_days", ["monday", "a week ago"]),
        ("older", ["eight days ago"]),
    ]


def test_the_same_moment_is_today_in_tokyo_and_yesterday_in_new_york():
    moment = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo, 20:00 the day before
    item = [Item("x", moment)]
    assert _names(group_by_day(item, today=date(2026, 11, 25), zone=TOKYO)) == [("today", ["x"])]
    new_york = ZoneInfo("America/New_York")
    assert _names(group_by_day(item, today=date(2026, 11, 25), zone=new_york)) == [
        ("yesterday", ["x"])
    ]


def test_empty_groups_are_left_out():
    assert group_by_day([], today=date(2026, 11, 25), zone=TOKYO) == []


def test_the_store_pins_and_lists_the_newest_with_every_pinned_one(tmp_path):
    store = ConversationStore(sqlite_url(tmp_path))
    ids = [store.create("o", title=f"c{n}", settings={}) for n in range(5)]
    store.create("someone else", title="theirs", settings={})
    store.pin(ids[0], "o", True)  # the oldest
    store.pin(ids[1], "mallory", True)  # not theirs: nothing happens
    listed = store.list("o", limit=2)
    assert [s.title for s in listed] == ["c4", "c3", "c0"]
    assert [s.pinned for s in listed] == [False, False, True]
    assert not next(s for s in store.list("o") if s.id == ids[1]).pinned
    store.pin(ids[0], "o", False)
    assert [s.title for s in store.list("o", limit=2)] == ["c4", "c3"]
    assert (datetime.now(UTC) - listed[0].updated_at) < timedelta(minutes=1)
