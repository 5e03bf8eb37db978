"""The conversation store on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
import os
import threading
import uuid

import pytest
from sqlalchemy import func, select

from chat_core.conversation.messages import ChatMessage, Feedback, Rating, Status
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.files.attachments import read_upload
from chat_core.storage.engine import sqlite_url
from chat_core.storage.message_rows import title_from
from chat_core.storage.migrations import SCHEMA_VERSION
from chat_core.storage.schema import attachments
from chat_core.storage.store import ConversationStore
from chat_core.transfer.exports import export_json, export_markdown
from tests.support.databases import POSTGRES_URL
from tests.support.files import image_bytes


def test_ci_runs_the_postgresql_tests():
    if os.environ.get("CI"):
        assert POSTGRES_URL, "CI must provide CHAT_TEST_DATABASE_URL (scripts/test starts one)"


def test_tables_are_created_with_a_schema_version(store):
    assert store.version() == SCHEMA_VERSION
    store.migrate()  # idempotent on an up-to-date database
    assert store.version() == SCHEMA_VERSION


def test_a_conversation_round_trips(store, owner):
    failed = UserFacingError(ErrorKind.SERVER, {"host": "h", "status": "500"})
    cid = store.create(owner, title="First question about 日本語", settings={"model": "m"})
    history = [
        ChatMessage.user("First question about 日本語"),
        ChatMessage.assistant("An answer"),
        ChatMessage.user("Second"),
        ChatMessage.assistant("partial", status=Status.FAILED, error=failed),
    ]
    for position, message in enumerate(history):
        store.put_message(cid, owner, position, message)
    loaded = store.load(cid, owner)
    assert loaded.messages == history
    assert loaded.settings == {"model": "m"}
    assert loaded.title == "First question about 日本語"


def _files():
    return (
        read_upload("cat.png", image_bytes(), text_budget=1000),
        read_upload("notes.md", "メモ: *keep*".encode(), text_budget=1000),
        read_upload("tool.exe", b"MZ", text_budget=1000),
    )


def test_attachments_and_feedback_are_stored_with_their_messages(store, owner):
    cid = store.create(owner, title="files", settings={})
    question = ChatMessage.user("What is in these?", attachments=_files())
    answer = ChatMessage.assistant("A cat.", feedback=Feedback(Rating.DOWN, "too short"))
    store.put_message(cid, owner, 0, question)
    store.put_message(cid, owner, 1, answer)
    loaded = store.load(cid, owner).messages
    assert loaded == [question, answer]
    assert loaded[0].attachments[0].data == image_bytes()  # the image's bytes, exactly
    assert loaded[0].attachments[2].problem.kind is ErrorKind.FILE_UNSUPPORTED


def test_removing_and_deleting_take_the_files_with_them(store, owner):
    cid = store.create(owner, title="files", settings={})
    store.put_message(cid, owner, 0, ChatMessage.user("one", attachments=_files()[:1]))
    store.put_message(cid, owner, 1, ChatMessage.assistant("a"))
    store.remove_message(cid, owner, 0)  # it has a reply: it stays
    assert len(store.load(cid, owner).messages[0].attachments) == 1
    store.remove_message(cid, owner, 1)
    store.remove_message(cid, owner, 0)
    assert store.load(cid, owner).messages == []
    store.put_message(cid, owner, 0, ChatMessage.user("again"))  # no file this time
    assert store.load(cid, owner).messages[0].attachments == ()
    store.put_message(cid, owner, 0, ChatMessage.user("one", attachments=_files()))
    store.delete(cid, owner)
    with store.engine.connect() as connection:
        left = connection.execute(
            select(func.count()).where(attachments.c.conversation_id == cid)
        ).scalar()
    assert left == 0


def test_exports_hold_feedback_and_what_was_attached():
    from datetime import UTC, datetime

    from chat_core.storage.store import StoredConversation

    files = _files()
    conversation = StoredConversation(
        "id",
        "t",
        {},
        [
            ChatMessage.user("Look", attachments=files),
            ChatMessage.assistant("A cat.", feedback=Feedback(Rating.DOWN, "wrong animal")),
            ChatMessage.user("And?"),
            ChatMessage.assistant("Sure.", feedback=Feedback(Rating.UP)),
        ],
        datetime(2026, 1, 2, tzinfo=UTC),
        datetime(2026, 1, 3, tzinfo=UTC),
    )
    exported = json.loads(export_json(conversation))["messages"]
    assert exported[1]["feedback"] == {"rating": "down", "comment": "wrong animal"}
    assert exported[3]["feedback"] == {"rating": "up", "comment": ""}
    image, notes, tool = exported[0]["attachments"]
    assert image == {
        "name": "cat.png",
        "kind": "image",
        "mime_type": "image/png",
        "size": len(image_bytes()),
    }
    assert notes["text"] == "メモ: *keep*"
    assert tool["problem"]["kind"] == "file_unsupported"
    labels = {
        "user": "You",
        "assistant": "Assistant",
        "not_sent": "not sent",
        "feedback": "Feedback",
    }
    markdown = export_markdown(conversation, labels=labels)
    assert "📎 cat.png, " in markdown and "📎 tool.exe, 2 B (not sent)" in markdown
    assert "Feedback: 👎 wrong animal" in markdown and "Feedback: 👍" in markdown


def test_put_replaces_and_remove_drops_a_failed_try(store, owner):
    cid = store.create(owner, title="t", settings={})
    store.put_message(cid, owner, 0, ChatMessage.user("q"))
    store.put_message(cid, owner, 1, ChatMessage.assistant("par", status=Status.STREAMING))
    store.put_message(cid, owner, 1, ChatMessage.assistant("partial answer"))
    assert [m.content for m in store.load(cid, owner).messages] == ["q", "partial answer"]
    store.remove_message(cid, owner, 1)
    assert [m.content for m in store.load(cid, owner).messages] == ["q"]


def contents(messages) -> list[str]:
    return [m.content for m in messages]


def test_every_version_is_kept_and_the_branch_on_screen_comes_back(store, owner):
    cid = store.create(owner, title="versions", settings={})
    for number, message in enumerate(
        [ChatMessage.user("one"), ChatMessage.assistant("a1"), ChatMessage.user("two")]
    ):
        store.put_message(cid, owner, number, message)
    store.put_message(cid, owner, 3, ChatMessage.assistant("first take"), parent=2)
    store.put_message(cid, owner, 4, ChatMessage.assistant("second take"), parent=2)
    store.put_message(cid, owner, 5, ChatMessage.user("two, edited"), parent=1)
    loaded = store.load(cid, owner)
    assert contents(loaded.messages) == ["one", "a1", "two, edited"]  # the newest
    assert loaded.tree.children(2) == [3, 4] and loaded.current == 5
    store.select(cid, owner, 3)
    loaded = store.load(cid, owner)
    assert contents(loaded.messages) == ["one", "a1", "two", "first take"]
    assert len(loaded.tree) == 6
    store.put_message(cid, owner, 3, ChatMessage.assistant("first take", feedback=None))
    assert store.load(cid, owner).current == 3  # an update does not move the branch


def test_a_number_another_tab_took_is_not_overwritten(store, owner):
    cid = store.create(owner, title="two tabs", settings={})
    store.put_message(cid, owner, 0, ChatMessage.user("q"))
    store.put_message(cid, owner, 1, ChatMessage.user("edited in another tab"), parent=None)
    stored_as = store.put_message(cid, owner, 1, ChatMessage.assistant("answer"), parent=0)
    assert stored_as == 2
    # two tabs adding at the end of one branch: the same parent and role, both kept
    other = ChatMessage.user("another question")
    assert store.put_message(cid, owner, 3, ChatMessage.user("mine"), parent=2, new=True) == 3
    assert store.put_message(cid, owner, 3, other, parent=2, new=True) == 4
    tree = store.load(cid, owner).tree
    assert [tree.message(n).content for n in tree.children(2)] == ["mine", "another question"]
    tree = store.load(cid, owner).tree
    assert tree.message(1).content == "edited in another tab"
    assert (tree.parent(2), tree.message(2).content) == (0, "answer")


def test_search_finds_every_version_and_counts_follow_the_branch_on_screen(store, owner):
    cid = store.create(owner, title="branches", settings={})
    store.put_message(cid, owner, 0, ChatMessage.user("question"))
    store.put_message(cid, owner, 1, ChatMessage.assistant("an old answer about okapis"))
    store.put_message(cid, owner, 2, ChatMessage.assistant("a new answer"), parent=0)
    store.put_message(cid, owner, 3, ChatMessage.user("and?"), parent=2)
    assert [c.id for c in store.list(owner, search="okapi")] == [cid]  # a version not shown
    assert store.page(owner, search="okapi").found[cid].on_screen is False
    assert [c.message_count for c in store.list(owner)] == [3]
    store.select(cid, owner, 1)
    assert store.page(owner, search="okapi").found[cid].on_screen is True
    assert [c.message_count for c in store.list(owner)] == [2]


def test_an_answer_still_streaming_reads_back_as_interrupted(store, owner):
    cid = store.create(owner, title="t", settings={})
    store.put_message(cid, owner, 0, ChatMessage.user("q"))
    store.put_message(cid, owner, 1, ChatMessage.assistant("half", status=Status.STREAMING))
    answer = store.load(cid, owner).messages[1]
    assert (answer.content, answer.status) == ("half", Status.FAILED)
    assert answer.error.kind is ErrorKind.INTERRUPTED


def test_owners_never_see_each_other(store, owner):
    other = f"other-{uuid.uuid4()}"
    cid = store.create(owner, title="mine", settings={})
    store.put_message(cid, owner, 0, ChatMessage.user("secret text"))
    assert store.list(other) == []
    assert store.load(cid, other) is None
    with pytest.raises(PermissionError):
        store.put_message(cid, other, 1, ChatMessage.user("intrusion"))
    store.rename(cid, other, "hijacked")
    store.delete(cid, other)
    store.remove_message(cid, other, 0)
    store.select(cid, other, 7)
    kept = store.load(cid, owner)
    assert kept.title == "mine" and [m.content for m in kept.messages] == ["secret text"]


def test_list_is_newest_first_with_counts_and_search(store, owner):
    older = store.create(owner, title="Recipe for ramen", settings={})
    store.put_message(older, owner, 0, ChatMessage.user("ラーメンの作り方を教えて"))
    newer = store.create(owner, title="Trip plan", settings={})
    for position in range(3):
        store.put_message(newer, owner, position, ChatMessage.user(f"day {position} 100%_done"))
    summaries = store.list(owner)
    assert [(s.id, s.message_count) for s in summaries] == [(newer, 3), (older, 1)]
    assert [s.id for s in store.list(owner, search="ラーメン")] == [older]
    assert [s.id for s in store.list(owner, search="RECIPE")] == [older]
    assert [s.id for s in store.list(owner, search="100%_")] == [newer]
    assert store.list(owner, search="y%y") == []  # wildcards are matched literally
    store.put_message(newer, owner, 3, ChatMessage.user("see file", attachments=_files()[1:2]))
    assert [s.id for s in store.list(owner, search="NOTES.md")] == [newer]  # a file's name
    store.put_message(older, owner, 1, ChatMessage.assistant("まず、スープを"))
    assert store.list(owner)[0].id == older  # touched: now the newest


def test_rename_and_delete(store, owner):
    cid = store.create(owner, title="old", settings={})
    store.put_message(cid, owner, 0, ChatMessage.user("q"))
    store.rename(cid, owner, "  new title  ")
    assert store.list(owner)[0].title == "new title"
    store.delete(cid, owner)
    assert store.list(owner) == [] and store.load(cid, owner) is None


def test_twenty_writers_at_once_lose_nothing(store, owner):
    conversation_ids = [store.create(owner, title=f"c{i}", settings={}) for i in range(20)]
    errors: list[BaseException] = []

    def writer(cid: str) -> None:
        try:
            for position in range(15):
                store.put_message(cid, owner, position, ChatMessage.user(f"{cid}-{position}"))
        except BaseException as exc:  # collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(cid,)) for cid in conversation_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for cid in conversation_ids:
        contents = [m.content for m in store.load(cid, owner).messages]
        assert contents == [f"{cid}-{p}" for p in range(15)]


def test_two_stores_on_one_database_see_the_same_data(store, owner):
    second = ConversationStore(str(store.engine.url.render_as_string(hide_password=False)))
    cid = store.create(owner, title="shared", settings={})
    store.put_message(cid, owner, 0, ChatMessage.user("from the first process"))
    second.put_message(cid, owner, 1, ChatMessage.assistant("continued on the second"))
    assert [m.content for m in store.load(cid, owner).messages] == [
        "from the first process",
        "continued on the second",
    ]


def test_titles_and_exports():
    assert title_from("  a\nmulti   line\tquestion ") == "a multi line question"
    assert len(title_from("x" * 500)) == 60
    from datetime import UTC, datetime

    from chat_core.storage.store import StoredConversation

    conversation = StoredConversation(
        "id",
        "タイトル",
        {"model": "m"},
        [ChatMessage.user("質問"), ChatMessage.assistant("答え", status=Status.STOPPED)],
        datetime(2026, 1, 2, tzinfo=UTC),
        datetime(2026, 1, 3, tzinfo=UTC),
    )
    labels = {"user": "You", "assistant": "Assistant", "stopped": "stopped"}
    markdown = export_markdown(conversation, labels=labels)
    assert markdown.startswith("# タイトル") and "## You\n\n質問" in markdown
    assert "答え\n\n_(stopped)_" in markdown
    assert '"content": "質問"' in export_json(conversation)


def test_a_version_1_database_is_migrated_and_keeps_its_data(tmp_path):
    from sqlalchemy import insert

    from chat_core.storage import engine as connections
    from chat_core.storage import migrations, schema
    from chat_core.storage.message_rows import now

    url = sqlite_url(tmp_path / "old")
    engine = connections.open_engine(url)
    with engine.begin() as connection:  # a database as the first release left it
        schema.schema_version.create(connection)
        migrations.MIGRATIONS[1](connection)
        connection.execute(insert(schema.schema_version).values(version=1))
        connection.execute(
            insert(schema.conversations).values(
                id="c1", owner="o", title="old", settings={}, created_at=now(), updated_at=now()
            )
        )
        # positions 0, 1 and 3: a failed save once left a gap
        older = [("user", "from v1"), ("assistant", "yes"), None, ("user", "after a gap")]
        for position, (role, content) in ((p, m) for p, m in enumerate(older) if m):
            connection.execute(  # only version 1's columns
                insert(schema.messages).values(
                    conversation_id="c1",
                    position=position,
                    role=role,
                    content=content,
                    status="complete",
                    created_at=now(),
                )
            )
    store = ConversationStore(url)
    assert store.version() == SCHEMA_VERSION == 15
    loaded = store.load("c1", "o")
    assert [m.content for m in loaded.messages] == ["from v1", "yes", "after a gap"]
    assert (loaded.tree.parent(3), loaded.current) == (1, 3)  # one branch, shown
    assert _schema(store.engine) == _schema(ConversationStore(sqlite_url(tmp_path / "new")).engine)


def test_the_migrations_build_exactly_the_tables_the_code_uses(tmp_path):
    """schema.py and the steps agree, so a step never has to use today's tables."""
    from chat_core.storage import engine as connections
    from chat_core.storage import schema

    built = ConversationStore(sqlite_url(tmp_path / "built")).engine
    declared = connections.open_engine(sqlite_url(tmp_path / "declared"))
    schema.metadata.create_all(declared)
    assert _schema(built) == _schema(declared)


def _schema(engine) -> dict:
    """Each table's columns (name, type, nullable) and indexes, as the database has them."""
    from sqlalchemy import inspect

    inspector = inspect(engine)
    return {
        table: (
            sorted(
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ),
            sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table)),
        )
        for table in inspector.get_table_names()
    }


def test_processes_opening_a_fresh_database_together_do_not_collide(tmp_path):
    """Each process migrates under the database's lock; the others wait, then find it done."""
    import subprocess
    import sys

    url = sqlite_url(tmp_path / "shared")
    code = "import sys\nfrom chat_core.storage.store import ConversationStore as S\nS(sys.argv[1])"
    for _ in range(3):
        (tmp_path / "shared" / "conversations.sqlite3").unlink(missing_ok=True)
        processes = [
            subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE)
            for _ in range(4)
        ]
        errors = [p.communicate(timeout=60)[1].decode() for p in processes]
        assert [p.returncode for p in processes] == [0, 0, 0, 0], errors
        assert ConversationStore(url).version() == SCHEMA_VERSION


def test_a_step_that_fails_halfway_leaves_a_database_that_still_opens(tmp_path, monkeypatch):
    """DDL runs inside the step's transaction: a crash after ALTER TABLE undoes it."""
    from chat_core.storage import migrations

    url = sqlite_url(tmp_path / "half")
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", SCHEMA_VERSION - 1)
    ConversationStore(url)  # a database one version behind: the upgrade starts with DDL
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", SCHEMA_VERSION)
    real_step = migrations.MIGRATIONS[SCHEMA_VERSION]

    def crashing_step(connection):
        real_step(connection)
        raise OSError("killed in the middle of the step")

    monkeypatch.setitem(migrations.MIGRATIONS, SCHEMA_VERSION, crashing_step)
    with pytest.raises(OSError):
        ConversationStore(url)
    monkeypatch.setitem(migrations.MIGRATIONS, SCHEMA_VERSION, real_step)
    store = ConversationStore(url)  # "duplicate column name" before the fix
    assert store.version() == SCHEMA_VERSION


def test_a_deleted_database_file_is_noticed(tmp_path):
    store = ConversationStore(sqlite_url(tmp_path / "gone"))
    store.create("o", title="t", settings={})
    assert not store.lost()
    (tmp_path / "gone" / "conversations.sqlite3").unlink()
    assert store.lost()


def test_an_owner_key_can_be_moved_with_its_usage(store, owner):
    from datetime import UTC, datetime

    from chat_core.limits import Limits, Request
    from chat_core.storage.usage_log import SqlLedger

    new_owner = f"new-{uuid.uuid4()}"
    cid = store.create(owner, title="t", settings={})
    SqlLedger(store.engine).reserve(Request(owner, "m", 1, 2), Limits(), datetime.now(UTC))
    assert store.rename_owner(owner, new_owner) == 1
    assert store.load(cid, owner) is None
    assert store.load(cid, new_owner).title == "t"
    assert store.rename_owner(owner, new_owner) == 0


def test_usage_is_stored_and_reported_once_settled(store, owner):
    from datetime import UTC, datetime

    from chat_core.limits import Limits, Request
    from chat_core.storage.usage_log import SqlLedger
    from chat_core.usage.tokens import Usage

    cid = store.create(owner, title="t", settings={})
    usage = Usage(12, 34, "gpt-4o-mini", estimated=True)
    store.put_message(cid, owner, 0, ChatMessage.assistant("a", usage=usage))
    assert store.load(cid, owner).messages[0].usage == usage
    ledger = SqlLedger(store.engine)
    first = ledger.reserve(Request(owner, "gpt-4o-mini", 10, 500), Limits(), datetime.now(UTC))
    second = ledger.reserve(Request(owner, "other", 1, 500), Limits(), datetime.now(UTC))
    ledger.settle(first, usage)
    assert {(r["model"], r["answers"]) for r in store.usage_report(owner)} == {
        ("gpt-4o-mini", 1)
    }  # an answer still being written is not reported yet
    ledger.settle(second, Usage(1, 2, "other"))
    report = store.usage_report(owner)
    assert {(r["model"], r["answers"], r["output_tokens"]) for r in report} == {
        ("gpt-4o-mini", 1, 34),
        ("other", 1, 2),
    }
    assert all(r["owner"] == owner for r in report)


def test_the_feedback_report_lists_rated_answers_newest_first(store, owner):
    other = f"other-{uuid.uuid4()}"
    mine = store.create(owner, title="Mine", settings={})
    store.put_message(mine, owner, 0, ChatMessage.user("q"))
    store.put_message(mine, owner, 1, ChatMessage.assistant("first answer"))  # not rated
    store.put_message(mine, owner, 2, ChatMessage.user("q2"))
    rated = ChatMessage.assistant("second answer", feedback=Feedback(Rating.DOWN, "too vague"))
    store.put_message(mine, owner, 3, rated)
    theirs = store.create(other, title="Theirs", settings={})
    store.put_message(theirs, other, 0, ChatMessage.assistant("x", feedback=Feedback(Rating.UP)))

    (row,) = store.feedback_report(owner)
    assert (row["title"], row["rating"], row["comment"], row["answer"]) == (
        "Mine",
        "down",
        "too vague",
        "second answer",
    )
    everyone = [r for r in store.feedback_report(None) if r["owner"] in (owner, other)]
    assert [r["rating"] for r in everyone] == ["up", "down"]  # newest first
    store.put_message(mine, owner, 3, ChatMessage.assistant("second answer"))  # thumbs cleared
    assert store.feedback_report(owner) == []


def test_titles_are_kept_without_invisible_characters(store, owner):
    """A right-to-left override would make a title read as something else."""
    cid = store.create(owner, title="report\u202efdp.txt\u200b", settings={})
    assert store.load(cid, owner).title == "reportfdp.txt"
    store.rename(cid, owner, "  new\u2066 title \u2069 ")
    assert store.load(cid, owner).title == "new title"


def test_thinking_is_kept_apart_from_the_answer_and_exported_folded(store, owner):
    from chat_core.conversation.messages import Thinking, to_langchain

    thought = Thinking("Let me count: 1, 2, 3.", seconds=3.2)
    answer = ChatMessage.assistant("Three.", thinking=thought)
    cid = store.create(owner, title="count", settings={})
    store.put_message(cid, owner, 0, ChatMessage.user("How many?"))
    store.put_message(cid, owner, 1, answer)
    loaded = store.load(cid, owner)
    assert loaded.messages[1].thinking == thought and loaded.messages[1].content == "Three."
    assert json.loads(export_json(loaded))["messages"][1]["thinking"]["text"] == thought.text
    markdown = export_markdown(loaded, labels={"user": "You", "assistant": "AI"})
    assert "<details><summary>Thinking (3 s)</summary>\n\nLet me count: 1, 2, 3." in markdown
    assert [m.content for m in to_langchain(loaded.messages)] == ["How many?", "Three."]


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Ramen near the station", "Ramen near the station 2026-11-25.md"),
        ("東京のラーメン", "東京のラーメン 2026-11-25.md"),
        ("../../etc/passwd", "etc passwd 2026-11-25.md"),
        ('a:b*c?"d"<e>|f\\g\n\th', "a b c d e f g h 2026-11-25.md"),
        ("...", "conversation 2026-11-25.md"),
        ("x" * 300, "x" * 80 + " 2026-11-25.md"),
    ],
)
def test_an_export_is_named_after_its_title_and_date(title, name):
    from datetime import UTC, datetime

    from chat_core.transfer.exports import export_name

    assert export_name(title, datetime(2026, 11, 25, 9, tzinfo=UTC), "md") == name


def test_tabs_adding_at_once_each_keep_their_message(store, owner):
    cid = store.create(owner, title="at once", settings={})
    store.put_message(cid, owner, 0, ChatMessage.user("q"))
    store.put_message(cid, owner, 1, ChatMessage.assistant("a"))
    numbers: list[int] = []

    def add(n: int) -> None:
        message = ChatMessage.user(f"tab {n}")
        numbers.append(store.put_message(cid, owner, 2, message, parent=1, new=True))

    threads = [threading.Thread(target=add, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tree = store.load(cid, owner).tree
    assert sorted(numbers) == list(range(2, 10)) == tree.children(1)
    assert sorted(tree.message(n).content for n in numbers) == [f"tab {n}" for n in range(8)]
